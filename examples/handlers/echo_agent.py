#!/usr/bin/env python3
"""Example AgentMesh handler (contract agentmesh.handler/v1), Python standard library only.

Reads the task JSON on stdin and answers with a markdown echo of the task plus a copy of every
input under inputs/. Replace the body of `handle` with calls to your model or tools.

Run by hand:  echo '{"contract":"agentmesh.handler/v1", ...}' | python3 echo_agent.py
"""
import base64
import hashlib
import json
import sys

CONTRACT = "agentmesh.handler/v1"


def input_bytes(item):
    if "content" in item:
        return item["content"].encode("utf-8")
    return base64.b64decode(item["content_base64"])


def handle(task):
    lines = [
        f"# Echo of task {task['task_id']}",
        "",
        f"- role: {task['role']}",
        f"- attempt: {task['attempt']}",
        f"- correlation: {task['correlation_id']}",
        f"- instructions: {task['instructions']}",
        "",
        "## Inputs",
    ]
    artifacts = []
    for item in task["inputs"]:
        data = input_bytes(item)
        digest = hashlib.sha256(data).hexdigest()
        status = "ok" if digest == item["sha256"] else "MISMATCH"
        lines.append(f"- {item['name']} ({len(data)} bytes, sha256 {digest} {status})")
        artifacts.append({
            "name": "inputs/" + item["name"],
            "media_type": item["media_type"],
            "content_base64": base64.b64encode(data).decode("ascii"),
        })
    if task["feedback"]:
        lines += ["", "## Feedback"]
        lines += [f"- {f['rule_id']} ({f['severity']}): {f['message']}" for f in task["feedback"]]
    artifacts.insert(0, {"name": "echo.md", "media_type": "text/markdown", "content": "\n".join(lines) + "\n"})
    return {
        "summary": f"echoed task {task['task_id']} with {len(task['inputs'])} input(s)",
        "artifacts": artifacts,
        "attributes": {"handler": "echo_agent.py"},
    }


def main():
    task = json.load(sys.stdin)
    if task.get("contract") != CONTRACT:
        print(f"unsupported contract {task.get('contract')!r}, expected {CONTRACT}", file=sys.stderr)
        return 2
    print(f"echo_agent: handling {task['task_id']}", file=sys.stderr)
    json.dump(handle(task), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
