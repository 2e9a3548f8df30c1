import Foundation
import MeshSigning
import MeshTestSupport
import MeshWire
import XCTest

/// The console as a person meets it, against the real `mesh-console` process and a whole mesh
/// on the embedded broker: signing in (and being locked out), the pages, the API and its typed
/// errors, and a Part 11 signature that the orchestrator accepts.
final class ConsoleTests: XCTestCase {
    var mesh: MeshHarness!
    var console: ConsoleHarness!

    override func tearDown() {
        console?.stop()
        mesh?.shutdown()
    }

    private func startMeshWithConsole() async throws {
        console = try await ConsoleHarness.onApprovalMesh()
        mesh = console.mesh
    }

    /// Checks the document against the OpenAPI 3.1 schema with PyPI's openapi-spec-validator.
    private func validateOpenAPI(_ text: String) async throws {
        let python = MeshHarness.root.appendingPathComponent(".build/python-env/bin/python")
        let file = mesh.workspace.url.appendingPathComponent("openapi.json")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let run = try await runToCompletion(python, ["-m", "openapi_spec_validator", "--schema", "3.1", file.path],
                                            workingDirectory: mesh.workspace.url)
        if run.stderr.contains("No module named") {
            throw XCTSkip("openapi-spec-validator is missing from .build/python-env: `make python-deps`")
        }
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
    }

    func testSignInIsThrottledAndRecordedAndFormsNeedTheirCSRFToken() async throws {
        try await startMeshWithConsole()
        let browser = console.browser()

        let toLogin = try await browser.get("/plans")
        XCTAssertEqual(toLogin.status, 303, "no session: sent to sign in")
        XCTAssertEqual(toLogin.headers["location"], "/login?next=/plans")

        let wrong = try await browser.signIn("victor", "not-the-password")
        XCTAssertEqual(wrong.status, 401)
        XCTAssertTrue(wrong.body.contains("Wrong user or password."))

        let ok = try await browser.signIn("victor", "victor-password")
        XCTAssertEqual(ok.status, 303)
        XCTAssertEqual(ok.headers["location"], "/plans")
        let session = try XCTUnwrap(ok.setCookies.first { $0.hasPrefix("mesh_session=") })
        XCTAssertTrue(session.contains("HttpOnly") && session.contains("SameSite=Strict"), session)
        do { let reply = try await browser.get("/plans"); XCTAssertEqual(reply.status, 200) }
        try await eventually("the sign-in is recorded on mesh.operations") {
            (try? await console.operations("console.sign-in", by: "victor").count) == 1
        }

        // The sign-out form without its token does nothing; with it, the session ends and is recorded.
        do { let reply = try await browser.postForm("/logout", [:]); XCTAssertEqual(reply.status, 403) }
        do { let reply = try await browser.get("/plans"); XCTAssertEqual(reply.status, 200, "still signed in after the refused sign-out") }
        let page = try await browser.get("/plans")
        do { let reply = try await browser.postForm("/logout", ["csrf": try ConsoleBrowser.field("csrf", in: page.body)]); XCTAssertEqual(reply.status, 303) }
        do { let reply = try await browser.get("/plans"); XCTAssertEqual(reply.status, 303, "signed out") }
        try await eventually("the sign-out is recorded on mesh.operations") {
            (try? await console.operations("console.sign-out", by: "victor").count) == 1
        }

        // A session idle past the timeout is sent to sign in (a second console on the same mesh,
        // idle timeout 3 s; the probe replays the first cookie and never takes the renewed one).
        let shortLived = ConsoleHarness(mesh: mesh)
        try await shortLived.start(idleTimeout: 3)
        defer { shortLived.stop() }
        let idle = shortLived.browser()
        let idleSignIn = try await idle.signIn("victor", "victor-password")
        XCTAssertEqual(idleSignIn.status, 303)
        let probe = shortLived.browser(keepsCookies: false)
        probe.cookies = idle.cookies
        let fresh = try await probe.get("/plans")
        XCTAssertEqual(fresh.status, 200, "the session is valid before it idles out")
        try await eventually("an idle session is sent to sign in") {
            (try? await probe.get("/plans"))?.headers["location"] == "/login?next=/plans"
        }

        // A sign-in form posted without the token its page set is refused.
        let forged = console.browser()
        do { let reply = try await forged.postForm("/login", ["user": "victor", "password": "victor-password"]); XCTAssertEqual(reply.status, 403) }

        // Three wrong passwords lock the account: even the right one is then refused.
        let guesser = console.browser()
        for _ in 0..<2 { do { let reply = try await guesser.signIn("mallory", "guess"); XCTAssertEqual(reply.status, 401) } }
        do { let reply = try await guesser.signIn("mallory", "guess"); XCTAssertEqual(reply.status, 429) }
        let locked = try await guesser.signIn("mallory", "mallory-password")
        XCTAssertEqual(locked.status, 429)
        XCTAssertTrue(locked.body.contains("locked"))
        XCTAssertNil(locked.setCookies.first { $0.hasPrefix("mesh_session=") })
        try await eventually("refused sign-ins are recorded") {
            (try? await console.operations("console.sign-in-refused", by: "mallory").count) == 4
        }

        // The API without a session answers with a typed error; the OpenAPI document is served.
        let anonymous = try await console.browser().get("/api/plans")
        XCTAssertEqual(anonymous.status, 401)
        XCTAssertEqual(anonymous.errorCode, "unauthenticated")
        let documentReply = try await console.browser().get("/api/openapi.json")
        let document = try XCTUnwrap(documentReply.json as? [String: Any])
        XCTAssertEqual(document["openapi"] as? String, "3.1.0")
        XCTAssertNotNil((document["paths"] as? [String: Any])?["/api/approvals/{id}/decision"])
        try await validateOpenAPI(documentReply.body)
    }

    func testAnApproverSignsInTheBrowserAndThePlanCompletesWhileRefusalsPublishNothing() async throws {
        try await startMeshWithConsole()
        let objective = try await mesh.submit(playbook: "approval", title: "Banner <script>alert('x')</script>")
        let requestEnvelope = try await mesh.first(objective) { $0.approvalRequest != nil }
        let approvalID = try XCTUnwrap(requestEnvelope.approvalRequest?.approvalID)

        // A viewer may read the approval but not sign it: 403, recorded, and no decision published.
        let viewer = console.browser()
        do { let reply = try await viewer.signIn("victor", "victor-password"); XCTAssertEqual(reply.status, 303) }
        try await eventually("the console lists the approval") {
            (try? await viewer.get("/api/approvals").body.contains(approvalID)) == true
        }
        let viewerPage = try await viewer.get("/approvals/\(approvalID)")
        XCTAssertFalse(viewerPage.body.contains("id=\"sign\""), "no signing form for a viewer")
        let refused = try await viewer.postJSON("/api/approvals/\(approvalID)/decision",
                                                ["decision": "approve", "meaning": "approved", "password": "victor-password"],
                                                csrf: try await viewer.csrf())
        XCTAssertEqual(refused.status, 403)
        XCTAssertEqual(refused.errorCode, "forbidden")

        let approver = console.browser()
        do { let reply = try await approver.signIn("alice", "alice-password"); XCTAssertEqual(reply.status, 303) }
        // Without the CSRF header the API does nothing.
        let noToken = try await approver.postJSON("/api/approvals/\(approvalID)/decision",
                                                  ["decision": "approve", "meaning": "approved", "password": "alice-password"], csrf: nil)
        XCTAssertEqual(noToken.status, 403)
        XCTAssertEqual(noToken.errorCode, "csrf_token_missing_or_wrong")
        // Bad input is a typed 400.
        let bad = try await approver.postJSON("/api/approvals/\(approvalID)/decision",
                                              ["decision": "maybe", "meaning": "approved", "password": "alice-password"],
                                              csrf: try await approver.csrf())
        XCTAssertEqual(bad.status, 400)
        XCTAssertEqual(bad.errorCode, "bad_request")
        do { let reply = try await approver.get("/api/plans/no-such-plan"); XCTAssertEqual(reply.errorCode, "not_found") }

        // The signing form, with a wrong password: refused on the page and recorded.
        let page = try await approver.get("/approvals/\(approvalID)")
        XCTAssertTrue(page.body.contains("Alice Example"), "the printed name the signature will carry is shown")
        XCTAssertTrue(page.body.contains(Hex.encode(try XCTUnwrap(requestEnvelope.approvalRequest?.resultSHA256))), "the result hash is shown")
        let csrf = try ConsoleBrowser.field("csrf", in: page.body)
        let wrong = try await approver.postForm("/approvals/\(approvalID)/sign", [
            "csrf": csrf, "decision": "approve", "meaning": "approved", "reason": "", "password": "wrong-password"])
        XCTAssertEqual(wrong.status, 403)
        XCTAssertTrue(wrong.body.contains("the password is not correct"))
        try await eventually("the failed signatures (viewer, wrong password) are recorded on mesh.operations") {
            let viewerRecords = (try? await console.operations("console.signature-refused", by: "victor").count) ?? 0
            let aliceRecords = (try? await console.operations("console.signature-refused", by: "alice").count) ?? 0
            return viewerRecords == 1 && aliceRecords == 1
        }
        let decisionsSoFar = await mesh.envelopes(objective).filter { if case .approvalDecision = $0.payload { return true } else { return false } }
        XCTAssertEqual(decisionsSoFar.count, 0, "no refused attempt published a decision")

        // Without the form's token: 403 and nothing signed.
        let tokenless = try await approver.postForm("/approvals/\(approvalID)/sign", [
            "decision": "approve", "meaning": "approved", "password": "alice-password"])
        XCTAssertEqual(tokenless.status, 403)

        // The right password: signed, published, accepted by the orchestrator.
        let signed = try await approver.postForm("/approvals/\(approvalID)/sign", [
            "csrf": csrf, "decision": "approve", "meaning": "approved", "reason": "diff and findings reviewed", "password": "alice-password"])
        XCTAssertEqual(signed.status, 303, signed.body)
        let outcome = try await mesh.outcome(objective)
        XCTAssertNotNil(outcome.completion, outcome.failure?.reason ?? outcome.type)
        let decisions = await mesh.envelopes(objective).compactMap { envelope -> ApprovalDecision? in
            if case .approvalDecision(let value) = envelope.payload { return value } else { return nil }
        }
        let decision = try XCTUnwrap(decisions.first)
        XCTAssertEqual(decision.signerID, "alice")
        XCTAssertEqual(decision.printedName, "Alice Example")
        XCTAssertEqual(decision.meaning, "approved")
        XCTAssertEqual(decision.resultSHA256, requestEnvelope.approvalRequest?.resultSHA256)

        // The pages show the completed plan; the title's <script> is text, never markup.
        try await eventually("the plan page shows the plan completed") {
            (try? await approver.get("/plans/\(objective)").body.contains("id=\"plan-state\">completed<")) == true
        }
        for path in ["/plans", "/plans/\(objective)", "/approvals/\(approvalID)"] {
            let body = try await approver.get(path).body
            XCTAssertFalse(body.contains("<script>alert"), "\(path) renders the title as markup")
            XCTAssertTrue(body.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), "\(path) shows the title escaped")
        }
        // Operators submit objectives through the API; the orchestrator plans them. Others may not.
        let denied = try await viewer.postJSON("/api/objectives", ["title": "Not mine to start", "playbook": "approval"],
                                               csrf: try await viewer.csrf())
        XCTAssertEqual(denied.status, 403)
        XCTAssertEqual(denied.errorCode, "forbidden")
        let operatorBrowser = console.browser()
        let operatorSignIn = try await operatorBrowser.signIn("mallory", "mallory-password")
        XCTAssertEqual(operatorSignIn.status, 303)
        let operatorCSRF = try await operatorBrowser.csrf()
        let untitled = try await operatorBrowser.postJSON("/api/objectives", ["playbook": "approval"], csrf: operatorCSRF)
        XCTAssertEqual(untitled.errorCode, "bad_request")
        let submitted = try await operatorBrowser.postJSON(
            "/api/objectives", ["title": "Started from the console", "playbook": "approval"], csrf: operatorCSRF)
        XCTAssertEqual(submitted.status, 201, submitted.body)
        let newObjective = try XCTUnwrap((submitted.json as? [String: Any])?["correlationID"] as? String)
        _ = try await mesh.first(newObjective) { if case .planCreated = $0.payload { return true } else { return false } }
        try await eventually("the console lists the submitted plan") {
            (try? await operatorBrowser.get("/api/plans").body.contains(newObjective)) == true
        }

        let detailReply = try await approver.get("/api/plans/\(objective)")
        let detail = try XCTUnwrap(detailReply.json as? [String: Any])
        XCTAssertEqual((detail["plan"] as? [String: Any])?["state"] as? String, "completed")
    }
}
