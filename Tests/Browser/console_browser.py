"""A person at the console in a real headless Chromium: sign in, watch the plan list, open the
approval, sign with password re-entry, see the plan complete with the diff between attempts,
the findings at their lines and the signature in the audit trace; then the agents, dead
letters, compliance and audit pages. Run by
Tests/IntegrationTests/ConsoleBrowserTests.swift against a live mesh; saves a screenshot of each
main page. Exit status 0 when every step held, 1 with the reason otherwise."""

import argparse
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait


def browser(chromium, driver):
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


def main():
    parser = argparse.ArgumentParser()
    for name in ("url", "objective", "approval", "user", "password", "printed-name", "screenshots", "chromium", "driver"):
        parser.add_argument("--" + name, required=True)
    parser.add_argument("--injected-title", action="store_true", help="the objective's title holds a <script> that must stay inert")
    parser.add_argument("--until-signed", action="store_true",
                        help="stop once the signature is accepted (meshctl demo shuts the mesh down when the plan completes)")
    args = parser.parse_args()
    os.makedirs(args.screenshots, exist_ok=True)
    shot = lambda page, name: page.save_screenshot(os.path.join(args.screenshots, name + ".png"))
    page = browser(args.chromium, args.driver)
    wait = WebDriverWait(page, 60, poll_frequency=0.2)
    try:
        # An unauthenticated visit goes to the sign-in page.
        page.get(args.url + "/plans")
        wait.until(expected_conditions.presence_of_element_located((By.ID, "login")))
        shot(page, "1-sign-in")
        page.find_element(By.ID, "user").send_keys(args.user)
        page.find_element(By.ID, "password").send_keys(args.password)
        page.find_element(By.ID, "sign-in").click()

        # The plan list fills in over server-sent events; the title's <script> is shown as text.
        wait.until(lambda p: args.objective in p.find_element(By.ID, "plans").text)
        wait.until(lambda p: "updated" in p.find_element(By.ID, "live-status").text)
        if args.injected_title:
            assert "<script>" in page.find_element(By.ID, "plans").text, "the title's markup is shown as text"
            assert page.execute_script("return window.consoleInjected === undefined"), "an injected script ran"
        shot(page, "2-plans")

        # The approval page shows what is signed, then the signing form with password re-entry.
        page.get(args.url + "/approvals/" + args.approval)
        manifest = wait.until(expected_conditions.presence_of_element_located((By.ID, "manifest"))).text
        assert "Result SHA-256" in manifest and args.approval in manifest, manifest
        assert page.find_element(By.ID, "printed-name").text == args.printed_name
        shot(page, "3-approval")
        page.find_element(By.ID, "sign-password").send_keys("not-" + args.password)
        page.find_element(By.ID, "sign-button").click()
        refused = wait.until(expected_conditions.presence_of_element_located((By.ID, "sign-error"))).text
        assert "password is not correct" in refused, refused
        shot(page, "4-wrong-password")
        page.find_element(By.ID, "reason").send_keys("diff and findings reviewed")
        page.find_element(By.ID, "sign-password").send_keys(args.password)
        page.find_element(By.ID, "sign-button").click()
        decided = wait.until(expected_conditions.presence_of_element_located((By.ID, "decision"))).text
        assert args.printed_name in decided and "approved" in decided, decided
        shot(page, "5-signed")
        if args.until_signed:
            return 0

        # The orchestrator accepts the signature: the plan completes.
        def completed(p):
            p.get(args.url + "/plans/" + args.objective)
            return p.find_element(By.ID, "plan-state").text == "completed"
        wait.until(completed)
        shot(page, "6-plan-completed")

        # The plan page: attempt 2's diff against attempt 1, attempt 1's finding at its line,
        # and the signature in the causal tree read from the audit store.
        def history(p):
            p.get(args.url + "/plans/" + args.objective)
            tree = p.find_elements(By.ID, "causal-tree")
            return tree and ("signed by " + args.user) in tree[0].text
        wait.until(history)
        assert page.find_elements(By.CSS_SELECTOR, "tr.finding-at-line"), "a finding is shown at its line"
        assert page.find_elements(By.CSS_SELECTOR, "table.diff tr.added"), "the diff between attempts is shown"
        assert args.printed_name in page.find_element(By.ID, "causal-tree").text
        page.execute_script("document.getElementById('causal-tree').scrollIntoView()")
        shot(page, "7-plan-history")
        page.get(args.url + "/plans/" + args.objective)
        page.execute_script("document.querySelector('tr.finding-at-line').scrollIntoView()")
        shot(page, "8-plan-finding-and-diff")

        # The operator and auditor views.
        page.get(args.url + "/agents")
        assert "coding" in wait.until(expected_conditions.presence_of_element_located((By.ID, "agents"))).text
        shot(page, "9-agents")
        page.get(args.url + "/deadletters")
        wait.until(expected_conditions.presence_of_element_located((By.ID, "deadletters")))
        shot(page, "10-deadletters")
        page.get(args.url + "/compliance")
        assert wait.until(expected_conditions.presence_of_element_located((By.ID, "by-rule"))).text.strip()
        shot(page, "11-compliance")
        page.get(args.url + "/audit")
        wait.until(lambda p: "VERIFIED" in p.find_element(By.ID, "verify-status").text)
        shot(page, "12-audit")
    except Exception as error:  # report what failed, with the page it failed on
        shot(page, "failure")
        print(f"browser test failed: {error!r}\n{page.current_url}\n{page.page_source[:4000]}", file=sys.stderr)
        return 1
    finally:
        page.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
