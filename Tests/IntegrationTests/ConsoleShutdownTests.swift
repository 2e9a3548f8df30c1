import Foundation
import MeshTestSupport
import XCTest

/// SIGTERM with live streams open: the console ends them and exits 0 at once, rather than
/// waiting on responses that never end until the supervisor's SIGKILL.
final class ConsoleShutdownTests: XCTestCase {
    var mesh: MeshHarness!
    var console: ConsoleHarness!
    var streams: [ChildProcess] = []

    override func tearDown() {
        streams.forEach { $0.stop() }
        console?.stop()
        mesh?.shutdown()
    }

    func testSIGTERMEndsTheLiveStreamsAndExitsZeroPromptly() async throws {
        mesh = try await MeshHarness()
        console = ConsoleHarness(mesh: mesh)
        try await console.addUser("victor", role: "viewer", password: "victor-password")
        try await console.start()
        let browser = console.browser()
        do { let reply = try await browser.signIn("victor", "victor-password"); XCTAssertEqual(reply.status, 303) }
        let session = try XCTUnwrap(browser.cookies["mesh_session"])

        // curl exits 0 only when the server ends the chunked response properly; a reset or a
        // killed server makes it fail (18/52/56).
        for _ in 0..<3 {
            streams.append(try ChildProcess(
                URL(fileURLWithPath: "/usr/bin/curl"),
                ["--silent", "--show-error", "--no-buffer", "--header", "Cookie: mesh_session=\(session)",
                 "http://127.0.0.1:\(console.port)/events/plans"],
                name: "sse", workingDirectory: mesh.workspace.url))
        }
        try await eventually("every stream has its first event") { streams.allSatisfy { $0.stdout.contains("event: plans") } }

        let console = try XCTUnwrap(console.process)
        console.signal(SIGTERM)
        // `meshctl up` waits 5 s before SIGKILL; the drain must take a fraction of that.
        let exited = await console.waitForExit(timeout: .seconds(2))
        XCTAssertTrue(exited, "still running 2 s after SIGTERM: \(console.stderr.suffix(2000))")
        if exited { XCTAssertEqual(console.exitCode, 0, console.stderr.suffix(2000).description) }
        for stream in streams {
            let ended = await stream.waitForExit(timeout: .seconds(2))
            XCTAssertTrue(ended, "the stream is still open")
            if ended { XCTAssertEqual(stream.exitCode, 0, "curl: \(stream.stderr)") }
        }
    }
}
