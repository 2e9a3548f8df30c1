import Foundation
import MeshAudit
import MeshSigning
import MeshTestSupport
import MeshWire
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
            // No time trigger: checkpoints exactly at 5, 10, 15 and 20, however the records are batched.
            "--checkpoint-records", "5", "--checkpoint-seconds", "0", "--anchor-topic", "--anchor-file", anchorFile, "--anchor-dir", worm,
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
        let renumbered = rechained(records[7...], after: records[6].recordHash) { $0.sequence -= 1 }
        try await sqlite3(path, ["DROP TRIGGER audit_records_no_update", "DROP TRIGGER audit_records_no_delete",
                                 "DROP TRIGGER audit_checkpoints_no_delete", "DELETE FROM audit_records WHERE sequence = 8",
                                 "DELETE FROM audit_checkpoints"]
            + renumbered.map { "UPDATE audit_records SET sequence = \($0.sequence), \(chainColumns($0)) WHERE sequence = \($0.sequence + 1)" })

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

    /// A sink restarted on a database whose history was rewritten in place (record 8 changed,
    /// the chain after it recomputed, checkpoints deleted) refuses to start: the stored tree no
    /// longer extends the newest anchored head. A restart on the untouched database starts.
    /// On the way: `audit prove` prints proofs that check against the anchored roots alone,
    /// and `audit verify --anchor topic` reads the topic with --bootstrap and -X.
    func testARestartedSinkRefusesARewrittenDatabase() async throws {
        let path = mesh.workspace.url.appendingPathComponent("audit.sqlite").path
        let store = "sqlite:" + path
        let anchorFile = mesh.workspace.url.appendingPathComponent("anchors.jsonl").path
        let sinkOptions = ["--checkpoint-records", "5", "--checkpoint-seconds", "0", "--anchor-topic", "--anchor-file", anchorFile]
        let sink = try mesh.startSink(store: store, extra: sinkOptions)
        _ = try await mesh.publishFillers(count: 20, correlationPrefix: "restart")
        try await eventually("the sink anchored the checkpoints at 5, 10, 15 and 20", timeout: .seconds(45)) {
            ((try? String(contentsOfFile: anchorFile, encoding: .utf8))?.split(separator: "\n").count ?? 0) >= 4
        }
        sink.signal(SIGTERM)
        _ = await sink.waitForExit(timeout: .seconds(10))
        XCTAssertEqual(sink.exitCode, 0, sink.stderr)
        let anchored = try CheckpointAnchorFiles.read(anchorFile)
        let head5 = try XCTUnwrap(anchored.first { $0.sequence == 5 })
        let head20 = try XCTUnwrap(anchored.first { $0.sequence == 20 })

        // The proof from the anchored head of 5 to that of 20 checks with their two roots alone.
        let prove = try await mesh.meshctl(["audit", "prove", "--store", store, "--from-size", "5", "--to-size", "20", "--record", "8", "--json"])
        XCTAssertEqual(prove.status, 0, prove.stderr)
        let printed = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(prove.stdout.utf8)) as? [String: Any])
        let proof = try XCTUnwrap(printed["consistencyProof"] as? [String]).map { try XCTUnwrap(Hex.decode($0)) }
        XCTAssertTrue(MerkleTree.verifyConsistency(oldSize: 5, newSize: 20, oldRoot: head5.merkleRoot, newRoot: head20.merkleRoot, proof: proof))
        let inclusion = try XCTUnwrap(printed["inclusion"] as? [String: Any])
        let leaf = try XCTUnwrap(Hex.decode(try XCTUnwrap(inclusion["recordHash"] as? String)))
        let path8 = try XCTUnwrap(inclusion["proof"] as? [String]).map { try XCTUnwrap(Hex.decode($0)) }
        XCTAssertTrue(MerkleTree.verifyInclusion(leafData: leaf, index: 7, treeSize: 20, proof: path8, root: head20.merkleRoot))

        // verify --anchor topic with the broker given on the command line and a librdkafka
        // property: the home's broker file is moved away, so only --bootstrap can find it.
        let brokerFile = mesh.home + "/broker.properties"
        let properties = try String(contentsOfFile: brokerFile, encoding: .utf8)
        let bootstrap = try XCTUnwrap(properties.split(separator: "\n").first { $0.hasPrefix("bootstrap.servers=") })
            .dropFirst("bootstrap.servers=".count)
        try FileManager.default.moveItem(atPath: brokerFile, toPath: brokerFile + ".away")
        let viaOptions = try await mesh.meshctl(["audit", "verify", "--store", store, "--anchor", "topic", "--catalog", mesh.catalogPath,
                                                 "--bootstrap", String(bootstrap), "-X", "client.id=auditor"])
        let unknownProperty = try await mesh.meshctl(["audit", "verify", "--store", store, "--anchor", "topic", "--catalog", mesh.catalogPath,
                                                      "--bootstrap", String(bootstrap), "-X", "no.such.property=1"])
        try FileManager.default.moveItem(atPath: brokerFile + ".away", toPath: brokerFile)
        XCTAssertEqual(viaOptions.status, 0, viaOptions.stdout + viaOptions.stderr)
        XCTAssertTrue(viaOptions.stdout.contains("by RFC 6962 consistency proof: 4"), viaOptions.stdout)
        XCTAssertNotEqual(unknownProperty.status, 0, "-X reaches the client: \(unknownProperty.stdout)")
        XCTAssertTrue(unknownProperty.stderr.contains("no.such.property"), unknownProperty.stderr)

        // A restart on the untouched database passes the check and runs.
        let again = try mesh.startSink(store: store, extra: sinkOptions)
        try await eventually("the restarted sink checked the store against its anchors", timeout: .seconds(30)) {
            again.stderr.contains("the store reproduces the newest anchored checkpoint")
        }
        XCTAssertTrue(again.isRunning, again.stderr)
        again.signal(SIGTERM)
        _ = await again.waitForExit(timeout: .seconds(10))
        XCTAssertEqual(again.exitCode, 0, again.stderr)

        // Someone with the database rewrites record 8, recomputes the chain after it and
        // deletes the checkpoints: the database verifies on its own.
        let records = try mesh.openStore(store).search(.all)
        XCTAssertEqual(records.count, 20)
        let rewritten = rechained(records[7...], after: records[6].recordHash) { if $0.sequence == 8 { $0.input.subject = "forged" } }
        try await sqlite3(path, ["DROP TRIGGER audit_records_no_update", "DROP TRIGGER audit_checkpoints_no_delete", "DELETE FROM audit_checkpoints"]
            + rewritten.map { "UPDATE audit_records SET subject = '\($0.input.subject)', \(chainColumns($0)) WHERE sequence = \($0.sequence)" })
        let alone = try await mesh.meshctl(["audit", "verify", "--store", store, "--skip-envelopes"])
        XCTAssertEqual(alone.status, 0, "the database alone cannot tell: \(alone.stdout)")

        for anchors in [["--anchor-file", anchorFile], ["--anchor-topic"]] {
            let refused = try mesh.startSink(store: store, extra: ["--checkpoint-records", "5", "--checkpoint-seconds", "0"] + anchors)
            let exited = await refused.waitForExit(timeout: .seconds(30))
            XCTAssertTrue(exited, "\(anchors): the sink stops at start-up: \(refused.stderr)")
            XCTAssertNotEqual(refused.exitCode, 0, "\(anchors)")
            XCTAssertTrue(refused.stderr.contains("no longer reproduces the anchored checkpoint at sequence 20"), "\(anchors): \(refused.stderr)")
            XCTAssertTrue(refused.stderr.contains("consistency proof fails"), "\(anchors): \(refused.stderr)")
        }
        XCTAssertEqual(try mesh.openStore(store).count, 20, "nothing was appended to the rewritten log")
    }

    /// `records` with `edit` applied to each and the chain recomputed from `previous` on, as
    /// someone with write access to the database rewrites them.
    private func rechained(_ records: ArraySlice<AuditRecord>, after previous: [UInt8], edit: (inout AuditRecord) -> Void) -> [AuditRecord] {
        var previous = previous
        return records.map { original in
            var record = original
            edit(&record)
            record.previousHash = previous
            record.recordHash = AuditRecordHasher.recompute(record)
            previous = record.recordHash
            return record
        }
    }

    /// The SQL assignments of a record's chain columns.
    private func chainColumns(_ record: AuditRecord) -> String {
        "previous_hash = X'\(Hex.encode(record.previousHash))', record_hash = X'\(Hex.encode(record.recordHash))'"
    }

    /// Runs `statements` on the SQLite database at `path` with the sqlite3 shell.
    private func sqlite3(_ path: String, _ statements: [String]) async throws {
        let run = try await runToCompletion(
            URL(fileURLWithPath: "/usr/bin/sqlite3"), [path, statements.joined(separator: ";\n") + ";"], workingDirectory: mesh.workspace.url)
        XCTAssertEqual(run.status, 0, run.stderr)
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

    /// With --record-later-copies and --flag-unauthorized the sink records what it would
    /// otherwise skip or store as verified: a re-emitted envelope id with other bytes
    /// (superseded) and a verdict the catalog does not allow from the coding agent
    /// (unauthorized); `meshctl audit verify` accepts both flags and counts them.
    func testLaterCopiesAndUnauthorizedEnvelopesAreStoredFlagged() async throws {
        let store = "sqlite:" + mesh.workspace.url.appendingPathComponent("audit.sqlite").path
        let sink = try mesh.startSink(store: store, extra: ["--record-later-copies", "--flag-unauthorized"])
        let first = Envelope(source: "/mesh/coding/agent-1", correlationID: "obj-copies", subject: "task-1",
                             payload: .taskResult(TaskResult(taskID: "task-1", planID: "plan-1", state: .completed, agentID: "agent-1")))
        try await mesh.publish(first, to: "mesh.results", as: "coding")
        var again = first
        again.payload = .taskResult(TaskResult(taskID: "task-1", planID: "plan-1", state: .completed, summary: "again", agentID: "agent-1"))
        try await mesh.publish(again, to: "mesh.results", as: "coding")
        try await mesh.publish(Envelope(
            source: "/mesh/coding/rogue", correlationID: "obj-copies", subject: "task-1",
            payload: .verdict(Verdict(taskID: "task-1", planID: "plan-1", kind: .review, decision: .approve,
                                      resultEnvelopeID: first.id, reviewerID: "rogue"))), to: "mesh.verdicts", as: "coding")
        let reader = try mesh.openStore(store)
        try await eventually("the sink stored 3 records", timeout: .seconds(45)) { ((try? reader.count) ?? 0) >= 3 }
        sink.signal(SIGTERM)
        _ = await sink.waitForExit(timeout: .seconds(10))
        XCTAssertEqual(sink.exitCode, 0, sink.stderr)

        // Topics are consumed in no fixed order relative to each other; each partition in order.
        let records = try reader.search(.all)
        XCTAssertEqual(records.count, 3)
        let results = records.filter { $0.input.kafka.topic == "mesh.results" }
        XCTAssertEqual(results.map(\.input.envelopeID), [first.id, ""], "the first copy keeps the id")
        XCTAssertTrue(results.last?.input.verification.reason?.hasPrefix("superseded: ") == true, "\(records.map(\.input.verification))")
        let verdict = try XCTUnwrap(records.first { $0.input.kafka.topic == "mesh.verdicts" })
        XCTAssertTrue(verdict.input.verification.reason?.hasPrefix("unauthorized: ") == true, "\(verdict.input.verification)")

        let verify = try await mesh.meshctl(["audit", "verify", "--store", store, "--catalog", mesh.catalogPath])
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
        XCTAssertTrue(verify.stdout.contains("stored flagged unauthorized: 1"), verify.stdout)
        XCTAssertTrue(verify.stdout.contains("1 superseded, 0 conflict"), verify.stdout)
        let trace = try await mesh.meshctl(["audit", "trace", "obj-copies", "--store", store])
        XCTAssertTrue(trace.stdout.contains("REJECTED: superseded:"), trace.stdout)
        XCTAssertTrue(trace.stdout.contains("REJECTED: unauthorized:"), trace.stdout)
    }
}
