import MeshAgentHandlers
import MeshProcess
import MeshWire
import XCTest

final class ExternalCommandHandlerTests: XCTestCase {
    func testPythonEchoAgentEndToEnd() async throws {
        let script = repositoryRoot.appendingPathComponent("examples/handlers/echo_agent.py").path
        let handler = ExternalCommandHandler(configuration: .init(
            command: ExternalCommand(executable: "python3", arguments: [script]), timeout: .seconds(30)))
        let inputs = [Artifact(name: "spec.md", mediaType: "text/markdown", content: Array("# Spec\n".utf8)),
                      Artifact(name: "raw.bin", mediaType: "application/octet-stream", content: [0xFF, 0xFE, 0x00])]
        let assigned = task(instructions: "echo please", attempt: 2, inputs: inputs,
                            feedback: [Finding(ruleID: "r1", severity: .medium, message: "fix it")])
        let outcome = await handler.handle(assigned, context: context)
        XCTAssertEqual(outcome.status, .completed, outcome.error)
        XCTAssertEqual(outcome.summary, "echoed task t-1 with 2 input(s)")
        XCTAssertEqual(outcome.attributes, ["handler": "echo_agent.py"])
        XCTAssertEqual(outcome.artifacts.map(\.name), ["echo.md", "inputs/spec.md", "inputs/raw.bin"])
        XCTAssertEqual(outcome.artifacts[2].content, [0xFF, 0xFE, 0x00])
        let echo = text(outcome.artifacts[0])
        XCTAssertTrue(echo.contains("- attempt: 2"))
        XCTAssertTrue(echo.contains("- correlation: obj-1"))
        XCTAssertFalse(echo.contains("MISMATCH"), "Python saw different sha256 values than Swift sent")
        XCTAssertTrue(echo.contains("r1 (medium): fix it"))
        let result = outcome.taskResult(for: assigned, agentID: context.agentID)
        XCTAssertEqual(result.state, .completed)
        // The echo agent computed the input hashes in Python; they must equal what Swift sent.
        XCTAssertTrue(echo.contains("sha256 \(pythonSHA256("# Spec\n".utf8))"))
    }

    func testCrashKeepsStderrTailAsError() async {
        let outcome = await shellHandler("echo 'starting' >&2; echo 'Traceback: KeyError task_id' >&2; exit 3")
            .handle(task(), context: context)
        XCTAssertEqual(outcome.status, .failed)
        XCTAssertEqual(outcome.error, "handler exited with status 3: starting\nTraceback: KeyError task_id")
        let silent = await shellHandler("exit 1").handle(task(), context: context)
        XCTAssertEqual(silent.error, "handler exited with status 1 (no stderr output)")
    }

    func testHangTimesOut() async {
        let started = ContinuousClock.now
        let outcome = await shellHandler("echo thinking >&2; sleep 60", timeout: .milliseconds(500)).handle(task(), context: context)
        XCTAssertEqual(outcome.status, .failed)
        XCTAssertEqual(outcome.error, "handler timed out after 500ms: thinking")
        XCTAssertLessThan(started.duration(to: .now), .seconds(10))
    }

    func testGarbageOutputPointsAtTheByte() async {
        let outcome = await shellHandler("printf '{\"summary\": oops}'").handle(task(), context: context)
        XCTAssertEqual(outcome.status, .failed)
        XCTAssertEqual(outcome.error, "handler printed invalid JSON at byte 12: unexpected 'o'")
        let prose = await shellHandler("echo 'Sure! Here is your code:'").handle(task(), context: context)
        XCTAssertEqual(prose.error, "handler printed invalid JSON at byte 0: unexpected 'S'")
        let empty = await shellHandler("true").handle(task(), context: context)
        XCTAssertEqual(empty.error, "handler printed invalid JSON at byte 0: empty output")
    }

    func testNonUTF8OutputFails() async {
        let outcome = await shellHandler(#"printf '{"summary":"\377"}'"#).handle(task(), context: context)
        XCTAssertEqual(outcome.status, .failed)
        XCTAssertEqual(outcome.error, "handler printed invalid JSON at byte 12: invalid UTF-8 byte 0xff")
    }

    func testHugeOutputIsCutOff() async {
        let outcome = await shellHandler("head -c 50000000 /dev/zero", maxOutputBytes: 1 << 20).handle(task(), context: context)
        XCTAssertEqual(outcome.status, .failed)
        XCTAssertEqual(outcome.error, "handler printed more than 1048576 bytes on stdout (the limit) and was killed")
    }

    func testWrongShapesNameTheField() async {
        let cases: [(String, String)] = [
            (#"[1]"#, "handler result JSON: expected an object at top level, got an array"),
            (#"{}"#, #"handler result JSON: field "summary": missing"#),
            (#"{"summary":1}"#, #"handler result JSON: field "summary": expected a string, got a number"#),
            (#"{"summary":"s","artifacts":[{"name":"../etc/passwd","content":"x"}]}"#,
             #"handler result JSON: field "artifacts[0].name": must not contain empty, "." or ".." path segments, got "../etc/passwd""#),
            (#"{"summary":"s","artifacts":[{"name":"a"}]}"#, #"handler result JSON: field "artifacts[0]": needs "content" or "content_base64""#),
            (#"{"summary":"s","artifacts":[{"name":"a","content":"x","content_base64":"eA=="}]}"#,
             #"handler result JSON: field "artifacts[0]": has both "content" and "content_base64"; give exactly one"#),
            (#"{"summary":"s","artifacts":[{"name":"a","content":"x"},{"name":"a","content":"y"}]}"#,
             #"handler result JSON: field "artifacts[1].name": duplicate artifact name "a""#),
            (#"{"summary":"s","attributes":{"k":2}}"#, #"handler result JSON: field "attributes.k": expected a string, got a number"#),
            (#"{"summary":"s","attributes":{"agentmesh.safety_class":"A"}}"#,
             #"handler result JSON: field "attributes.agentmesh.safety_class": keys starting with "agentmesh." are set by the mesh, not by handlers"#),
            (#"{"summary":"s","attributes":{"k":"a\u0000b"}}"#,
             #"handler result JSON: field "attributes.k": contains a NUL character, which attributes cannot carry"#),
            (#"{"summary":"s","summary":"t"}"#, #"handler printed invalid JSON at byte 15: duplicate key "summary""#),
        ]
        for (json, expected) in cases {
            let outcome = await shellHandler("cat >/dev/null; printf '%s' '\(json)'").handle(task(), context: context)
            XCTAssertEqual(outcome.status, .failed, json)
            XCTAssertEqual(outcome.error, expected, json)
        }
    }

    func testHandlerSHA256IsNeverTrusted() async {
        let json = #"{"summary":"ok","artifacts":[{"name":"a.txt","media_type":"text/plain","content":"hi","sha256":"00"},{"name":"b.bin","content_base64":"AAEC"}]}"#
        let outcome = await shellHandler("cat >/dev/null; printf '%s' '\(json)'").handle(task(), context: context)
        XCTAssertEqual(outcome.status, .completed, outcome.error)
        XCTAssertEqual(hex(outcome.artifacts[0].sha256), "8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4")
        XCTAssertEqual(outcome.artifacts[1].content, [0, 1, 2])
        XCTAssertEqual(outcome.artifacts[1].mediaType, "application/octet-stream")
    }

    func testEnvironmentNamesTheTask() async {
        let outcome = await shellHandler(#"printf '{"summary":"%s %s %s %s"}' "$AGENTMESH_CONTRACT" "$AGENTMESH_TASK_ID" "$AGENTMESH_ROLE" "$AGENTMESH_ATTEMPT""#)
            .handle(task(attempt: 4), context: context)
        XCTAssertEqual(outcome.summary, "agentmesh.handler/v1 t-1 coding 4")
    }

    func testMissingProgramFailsTheTask() async {
        let handler = ExternalCommandHandler(configuration: .init(command: ExternalCommand(executable: "/opt/none/agent")))
        let outcome = await handler.handle(task(), context: context)
        XCTAssertEqual(outcome.status, .failed)
        XCTAssertEqual(outcome.error, #"handler could not be started: executable "/opt/none/agent" not found"#)
    }

    func testBreakerStopsStartingAFailingHandler() async throws {
        let breaker = SharedCircuitBreaker(failureThreshold: 2, coolDown: .seconds(3600))
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("mesh-breaker-\(UUID().uuidString)").path
        let handler = shellHandler("echo run >> \(marker); exit 1", breaker: breaker)
        for _ in 0..<4 { _ = await handler.handle(task(), context: context) }
        let runs = try String(contentsOfFile: marker, encoding: .utf8).split(separator: "\n").count
        XCTAssertEqual(runs, 2)
        let refused = await handler.handle(task(), context: context)
        XCTAssertTrue(refused.error.hasPrefix("handler disabled by its circuit breaker after 2 consecutive failures; retrying in"), refused.error)
    }

    func testPastDeadlineFailsWithoutRunning() async {
        var assigned = task()
        assigned.deadlineUnixMicros = 1_000_000
        let outcome = await shellHandler("exit 0").handle(assigned, context: context)
        XCTAssertEqual(outcome.error, "task deadline passed before the handler started")
    }

    func testSharedLimiterBoundsHandlers() async {
        let limiter = ConcurrencyLimiter(limit: 2)
        let handler = ExternalCommandHandler(
            configuration: .init(command: ExternalCommand(executable: "/bin/sh", arguments: ["-c", #"sleep 0.3; echo '{"summary":"ok"}'"#])),
            limiter: limiter)
        let started = ContinuousClock.now
        await withTaskGroup(of: HandlerOutcome.self) { group in
            for _ in 0..<4 { group.addTask { await handler.handle(task(), context: context) } }
            for await outcome in group { XCTAssertEqual(outcome.status, .completed, outcome.error) }
        }
        XCTAssertGreaterThanOrEqual(started.duration(to: .now), .milliseconds(590))
    }
}
