import Foundation
import MeshAudit
import MeshTestSupport
import XCTest

/// SIGKILL at random moments while a producer is publishing: the store ends with every
/// produced envelope exactly once, and the chain verifies.
final class AuditSinkCrashTests: XCTestCase {
    var mesh: AuditSinkMesh!

    override func setUp() async throws {
        mesh = try await AuditSinkMesh.start()
    }

    override func tearDown() async throws {
        mesh?.shutdown()
    }

    func testRepeatedSIGKILLLosesNothingAndDuplicatesNothing() async throws {
        let store = "sqlite:" + mesh.workspace.url.appendingPathComponent("audit.sqlite").path
        let reader = try mesh.openStore(store)
        let total = 3_000
        // Small batches and a frequent count trigger, so kills land mid-batch and mid-checkpoint.
        let options = ["--batch-size", "100", "--checkpoint-records", "250"]
        let mesh = self.mesh!
        let producing = Task { try await mesh.publishFillers(count: total, correlationPrefix: "crash", pause: .milliseconds(12)) }

        var sink = try mesh.startSink(store: store, extra: options)
        var generator = SystemRandomNumberGenerator()
        var kills = 0
        var storedAtKill: [Int] = []
        for _ in 0..<5 {
            // Kill a sink that owns partitions (a rejoin after a kill waits out the dead member's
            // 6 s session), at a random moment after that.
            let current = sink
            try await eventually("the (re)started sink was assigned partitions", timeout: .seconds(30)) {
                current.stderr.contains("partitions assigned")
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 100...1_500, using: &generator)))
            storedAtKill.append((try? reader.count) ?? -1)
            sink.signal(SIGKILL)
            _ = await sink.waitForExit(timeout: .seconds(5))
            kills += 1
            sink = try mesh.startSink(store: store, extra: options)
        }
        XCTAssertEqual(kills, 5)
        print("records stored when each SIGKILL hit: \(storedAtKill)")
        let published = try await producing.value
        XCTAssertEqual(published.count, total)
        try await eventually("every envelope stored after the last restart", timeout: .seconds(60)) {
            ((try? reader.count) ?? 0) >= total
        }
        let final = sink
        try await eventually("the last sink started") { final.stderr.contains("audit sink started") }
        sink.signal(SIGTERM)
        let stopped = await sink.waitForExit(timeout: .seconds(10))
        XCTAssertTrue(stopped)
        XCTAssertEqual(sink.exitCode, 0, sink.stderr)

        let records = try reader.search(.all)
        let ids = records.map(\.input.envelopeID)
        XCTAssertEqual(records.count, total, "nothing stored twice")
        XCTAssertEqual(Set(ids).count, total)
        XCTAssertEqual(Set(ids), Set(published), "nothing lost")
        XCTAssertEqual(records.map(\.sequence), Array(1...Int64(total)), "contiguous sequences")
        let last = try XCTUnwrap(AuditSinkMesh.counters(in: sink.stderr, message: "audit sink stopped"), sink.stderr)
        print("final sink run: \(last); crash runs re-read and skipped duplicates as expected")

        let verify = try await mesh.meshctl(["audit", "verify", "--store", store])
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
        XCTAssertTrue(verify.stdout.contains("OK: valid: \(total) record(s)"), verify.stdout)
    }
}
