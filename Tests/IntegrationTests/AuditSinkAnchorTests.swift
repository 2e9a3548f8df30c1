import Foundation
import MeshAudit
import MeshSigning
import MeshTestSupport
import XCTest

/// `mesh-audit-sink` anchoring its checkpoints outside the database (checkpoint topic, anchor
/// file, WORM directory) and `meshctl audit verify --anchor …` catching a rewrite that the
/// database alone cannot show, all as real processes against `meshctl broker`.
final class AuditSinkAnchorTests: XCTestCase {
    var mesh: AuditSinkMesh!

    override func setUp() async throws {
        mesh = try await AuditSinkMesh.start()
    }

    override func tearDown() async throws {
        mesh?.shutdown()
    }

    func testAnchoredCheckpointsExposeADeletedAndRechainedRecord() async throws {
        let path = mesh.workspace.url.appendingPathComponent("audit.sqlite").path
        let store = "sqlite:" + path
        let anchorFile = mesh.workspace.url.appendingPathComponent("anchors.jsonl").path
        let worm = mesh.workspace.url.appendingPathComponent("worm").path
        let sink = try mesh.startSink(store: store, extra: [
            "--checkpoint-records", "5", "--anchor-topic", "--anchor-file", anchorFile, "--anchor-dir", worm,
        ])
        _ = try await mesh.publishFillers(count: 20, correlationPrefix: "anchored")
        try await eventually("the sink anchored the checkpoints at 5, 10, 15 and 20", timeout: .seconds(45)) {
            let lines = (try? String(contentsOfFile: anchorFile, encoding: .utf8))?.split(separator: "\n") ?? []
            return lines.count >= 4
        }
        sink.signal(SIGTERM)
        _ = await sink.waitForExit(timeout: .seconds(10))
        XCTAssertEqual(sink.exitCode, 0, sink.stderr)
        XCTAssertTrue(sink.stderr.contains("checkpoint anchored"), sink.stderr)

        // Each checkpoint is its own read-only file in the WORM directory.
        let files = try FileManager.default.contentsOfDirectory(atPath: worm).filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertEqual(files.count, 4, "\(files)")
        let mode = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: worm + "/" + files[0])[.posixPermissions] as? Int)
        XCTAssertEqual(mode, 0o444)

        let anchors = ["--anchor", "topic", "--anchor", anchorFile, "--anchor", worm, "--catalog", mesh.catalogPath]
        let clean = try await mesh.meshctl(["audit", "verify", "--store", store] + anchors)
        XCTAssertEqual(clean.status, 0, clean.stdout + clean.stderr)
        XCTAssertTrue(clean.stdout.contains("20 envelope(s) re-verified"), clean.stdout)
        XCTAssertTrue(clean.stdout.contains("from anchors outside the database"), clean.stdout)

        // Someone with the database deletes record 8, renumbers and rechains the rest (each
        // envelope keeps its own valid signature) and deletes every checkpoint.
        let reader = try mesh.openStore(store)
        var records = try reader.search(.all)
        XCTAssertEqual(records.count, 20)
        records.remove(at: 7)
        var statements = ["DROP TRIGGER audit_records_no_update", "DROP TRIGGER audit_records_no_delete",
                          "DROP TRIGGER audit_checkpoints_no_delete", "DELETE FROM audit_records WHERE sequence = 8",
                          "DELETE FROM audit_checkpoints"]
        var previous = records[6].recordHash
        for index in 7..<records.count {
            var record = records[index]
            record.sequence = Int64(index + 1)
            record.previousHash = previous
            record.recordHash = AuditRecordHasher.recompute(record)
            previous = record.recordHash
            statements.append("UPDATE audit_records SET sequence = \(record.sequence), previous_hash = X'\(Hex.encode(record.previousHash))', "
                + "record_hash = X'\(Hex.encode(record.recordHash))' WHERE sequence = \(record.sequence + 1)")
        }
        let tamper = try await runToCompletion(
            URL(fileURLWithPath: "/usr/bin/sqlite3"), [path, statements.joined(separator: ";\n") + ";"],
            workingDirectory: mesh.workspace.url)
        XCTAssertEqual(tamper.status, 0, tamper.stderr)

        let alone = try await mesh.meshctl(["audit", "verify", "--store", store])
        XCTAssertEqual(alone.status, 0, "the database alone cannot tell: \(alone.stdout)")
        XCTAssertTrue(alone.stdout.contains("WARNING: no --anchor given"), alone.stdout)

        for anchor in ["topic", anchorFile, worm] {
            let verify = try await mesh.meshctl(["audit", "verify", "--store", store, "--anchor", anchor, "--catalog", mesh.catalogPath])
            XCTAssertEqual(verify.status, 1, "--anchor \(anchor): \(verify.stdout) \(verify.stderr)")
            XCTAssertTrue(verify.stdout.contains("INVALID: first bad record is sequence 5: checkpoint-missing"),
                          "--anchor \(anchor): \(verify.stdout)")
            XCTAssertTrue(verify.stdout.contains("sequence 10: checkpoint-mismatch"), "--anchor \(anchor): \(verify.stdout)")
        }
    }

    func testTheSinkRefusesToSignCheckpointsWithAKeyVerifiersWouldNotAccept() async throws {
        // A ring made with no pinned checkpoint key (as before pinning existed).
        let trustFile = mesh.home + "/keys/trust.json"
        var trust = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: trustFile))) as? [String: Any])
        trust["checkpointKeys"] = nil
        try JSONSerialization.data(withJSONObject: trust).write(to: URL(fileURLWithPath: trustFile))
        let sink = try mesh.startSink(store: "sqlite:" + mesh.workspace.url.appendingPathComponent("audit.sqlite").path)
        let exited = await sink.waitForExit(timeout: .seconds(20))
        XCTAssertTrue(exited, "the sink stops at start-up")
        XCTAssertNotEqual(sink.exitCode, 0)
        XCTAssertTrue(sink.stderr.contains("pins no audit checkpoint key"), sink.stderr)
    }
}
