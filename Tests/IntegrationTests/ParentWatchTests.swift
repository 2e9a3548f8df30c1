import Foundation
import MeshTestSupport
import XCTest

/// Roles started by `meshctl up` or `bench pipeline` carry AGENTMESH_PARENT_PID; when that
/// supervisor is SIGKILLed they must drain and exit, not run on as orphans.
final class ParentWatchTests: XCTestCase {
    func testARoleWhoseSupervisorIsKilledDrainsAndExits() async throws {
        let mesh = try await MeshHarness()
        defer { mesh.shutdown() }
        let root = MeshHarness.root
        let reviewer = try Executables.url("mesh-reviewer")
        // A stand-in supervisor: a shell that names itself as the parent, starts the role and waits.
        let supervisor = try ChildProcess(
            URL(fileURLWithPath: "/bin/sh"),
            ["-c", #"export AGENTMESH_PARENT_PID=$$; "$0" "$@" & echo "child=$!"; wait"#, reviewer.path,
             "--home", mesh.home, "--catalog", root.appendingPathComponent("Topics").path,
             "--rules", root.appendingPathComponent("Rules").path, "--instance", "orphan-1", "--health-port", "0"],
            name: "supervisor", workingDirectory: mesh.workspace.url)
        defer { supervisor.stop() }
        try await eventually("the role is up", timeout: .seconds(60)) {
            (supervisor.stdout + supervisor.stderr).contains("assigned")
        }
        let pidText = try XCTUnwrap(supervisor.stdout.split(separator: "\n").first { $0.hasPrefix("child=") })
        let child = try XCTUnwrap(pid_t(pidText.dropFirst("child=".count)))
        defer { kill(child, SIGKILL) }  // if the watch failed, the orphan must not outlive the test
        XCTAssertTrue(Self.isRunning(child))

        supervisor.signal(SIGKILL)
        try await eventually("the orphaned role exits", timeout: .seconds(40)) { !Self.isRunning(child) }
        let output = supervisor.stdout + supervisor.stderr
        XCTAssertTrue(output.contains("is gone: stopping"), output)
        XCTAssertTrue(output.contains("stopped"), "drained like a SIGTERMed role: \(output)")
    }

    /// Alive and not a zombie waiting for a reaper.
    static func isRunning(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }
}
