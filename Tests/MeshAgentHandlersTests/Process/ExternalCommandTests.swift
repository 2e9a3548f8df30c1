import Foundation
import MeshProcess
import XCTest

final class ExternalCommandTests: XCTestCase {
    func sh(_ script: String, _ arguments: [String] = []) -> ExternalCommand {
        ExternalCommand(executable: "/bin/sh", arguments: ["-c", script, "sh"] + arguments)
    }

    func testExitCodesAreReported() async throws {
        let ok = try await sh("exit 0").run(timeout: .seconds(10))
        XCTAssertEqual(ok.termination, .exited(0))
        XCTAssertTrue(ok.succeeded)
        let three = try await sh("exit 3").run(timeout: .seconds(10))
        XCTAssertEqual(three.termination, .exited(3))
        XCTAssertFalse(three.succeeded)
        let killed = try await sh("kill -9 $$").run(timeout: .seconds(10))
        XCTAssertEqual(killed.termination, .signaled(9))
        XCTAssertEqual(killed.termination.description, "signal 9 (SIGKILL)")
    }

    func testLargeStdinRoundTripsThroughStdoutWithoutDeadlock() async throws {
        // 8 MiB in both directions: far beyond pipe buffers, so reads and writes must overlap.
        let payload = (0..<(8 * 1024 * 1024)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 11) }
        let outcome = try await ExternalCommand(executable: "cat").run(stdin: payload, timeout: .seconds(60))
        XCTAssertEqual(outcome.termination, .exited(0))
        XCTAssertEqual(outcome.stdout.count, payload.count)
        XCTAssertTrue(outcome.stdout == payload)
    }

    func testStdoutAndStderrFloodAtOnce() async throws {
        let outcome = try await sh("head -c 3000000 /dev/zero; head -c 3000000 /dev/zero >&2; echo done")
            .run(timeout: .seconds(30), stderrTailBytes: 100)
        XCTAssertEqual(outcome.stdout.count, 3_000_005)
        XCTAssertEqual(outcome.stderrByteCount, 3_000_000)
        XCTAssertEqual(outcome.stderrTail.count, 100)
    }

    func testStderrTailKeepsTheEnd() async throws {
        let outcome = try await sh("i=0; while [ $i -lt 2000 ]; do echo \"line $i\" >&2; i=$((i+1)); done; exit 1")
            .run(timeout: .seconds(30), stderrTailBytes: 32)
        XCTAssertEqual(outcome.stderrTail.count, 32)
        XCTAssertTrue(outcome.stderrTruncated)
        XCTAssertTrue(outcome.stderrTailText.hasPrefix("…"))
        XCTAssertTrue(outcome.stderrTailText.hasSuffix("line 1999"), outcome.stderrTailText)
        let short = try await sh("echo oops >&2").run(timeout: .seconds(10))
        XCTAssertEqual(short.stderrTailText, "oops")
        XCTAssertFalse(short.stderrTruncated)
    }

    func testTimeoutKillsTheProcessAndItsChildren() async throws {
        let marker = FileManager.default.temporaryDirectory.appendingPathComponent("mesh-orphan-\(UUID().uuidString)").path
        // The child shell ignores SIGTERM, so the SIGKILL escalation is exercised too.
        let script = "trap '' TERM; (sleep 30; touch \(marker)) & echo $! ; sleep 30"
        let started = ContinuousClock.now
        let outcome = try await sh(script).run(timeout: .milliseconds(300), killGrace: .milliseconds(200))
        XCTAssertTrue(outcome.timedOut)
        XCTAssertEqual(outcome.termination, .signaled(SIGKILL))
        XCTAssertLessThan(started.duration(to: .now), .seconds(5))
        let grandchild = pid_t(String(decoding: outcome.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))!
        try await assertGone(grandchild)
    }

    func testTerminatedCleanlyOnSIGTERMWithinGrace() async throws {
        let outcome = try await sh("sleep 30").run(timeout: .milliseconds(200), killGrace: .seconds(5))
        XCTAssertTrue(outcome.timedOut)
        XCTAssertEqual(outcome.termination, .signaled(SIGTERM))
    }

    func testBackgroundChildrenOfAFinishedCommandAreKilled() async throws {
        let outcome = try await sh("sleep 30 >/dev/null 2>&1 & echo $!").run(timeout: .seconds(10))
        XCTAssertEqual(outcome.termination, .exited(0))
        let background = pid_t(String(decoding: outcome.stdout, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))!
        try await assertGone(background)
    }

    func testCancellationTerminatesTheProcess() async throws {
        let task = Task { try await self.sh("sleep 30").run(timeout: .seconds(60), killGrace: .milliseconds(100)) }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        let outcome = try await task.value
        XCTAssertTrue(outcome.cancelled)
        XCTAssertFalse(outcome.timedOut)
    }

    func testStdoutLimitKillsAndFlags() async throws {
        let outcome = try await ExternalCommand(executable: "yes").run(timeout: .seconds(10), maxOutputBytes: 1000)
        XCTAssertTrue(outcome.stdoutLimitExceeded)
        XCTAssertEqual(outcome.stdout.count, 1000)
        XCTAssertFalse(outcome.succeeded)
    }

    func testMissingExecutableIsATypedError() async {
        do {
            _ = try await ExternalCommand(executable: "agentmesh-no-such-tool").run(timeout: .seconds(1))
            XCTFail("expected an error")
        } catch let error as ExternalCommandError {
            guard case .executableNotFound(let name, let searched) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "agentmesh-no-such-tool")
            XCTAssertFalse(searched.isEmpty)
            XCTAssertTrue(error.description.contains("not found on PATH"))
        } catch { XCTFail("\(error)") }

        do {
            _ = try await ExternalCommand(executable: "/nonexistent/tool").run(timeout: .seconds(1))
            XCTFail("expected an error")
        } catch let error as ExternalCommandError {
            XCTAssertEqual(error, .executableNotFound(name: "/nonexistent/tool", searched: []))
        } catch { XCTFail("\(error)") }

        do {
            _ = try await ExternalCommand(executable: "/etc/hostname").run(timeout: .seconds(1))
            XCTFail("expected an error")
        } catch let error as ExternalCommandError {
            XCTAssertEqual(error, .notExecutable(path: "/etc/hostname"))
        } catch { XCTFail("\(error)") }
    }

    func testWorkingDirectoryAndEnvironment() async throws {
        let command = ExternalCommand(executable: "/bin/sh", arguments: ["-c", "pwd; echo $MESH_TEST_VALUE"],
                                      environment: ["MESH_TEST_VALUE": "hello world"], workingDirectory: "/tmp")
        let outcome = try await command.run(timeout: .seconds(10))
        XCTAssertEqual(String(decoding: outcome.stdout, as: UTF8.self), "/tmp\nhello world\n")

        do {
            _ = try await ExternalCommand(executable: "pwd", workingDirectory: "/nonexistent-dir").run(timeout: .seconds(1))
            XCTFail("expected an error")
        } catch let error as ExternalCommandError {
            XCTAssertEqual(error, .workingDirectoryNotFound("/nonexistent-dir"))
        }
    }

    func testChildThatDoesNotReadStdinIsNotAnError() async throws {
        let outcome = try await sh("exit 0").run(stdin: [UInt8](repeating: 65, count: 4 * 1024 * 1024), timeout: .seconds(10))
        XCTAssertEqual(outcome.termination, .exited(0))
    }

    func testArgvHasNoShellInterpretation() async throws {
        let outcome = try await ExternalCommand(argv: ["printf", "%s|", "$HOME", "a b", ";rm -rf /"])!.run(timeout: .seconds(10))
        XCTAssertEqual(String(decoding: outcome.stdout, as: UTF8.self), "$HOME|a b|;rm -rf /|")
        XCTAssertNil(ExternalCommand(argv: []))
    }

    private func assertGone(_ pid: pid_t, file: StaticString = #filePath, line: UInt = #line) async throws {
        for _ in 0..<100 {
            if kill(pid, 0) != 0 && errno == ESRCH { return }
            // Killed but not yet reaped by its new parent (init): already gone for our purpose.
            if let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
               let close = stat.lastIndex(of: ")"), stat[stat.index(close, offsetBy: 2)] == "Z" { return }
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTFail("process \(pid) survived its command", file: file, line: line)
    }
}
