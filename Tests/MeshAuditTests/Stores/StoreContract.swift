import Foundation
import XCTest
import MeshSigning
@testable import MeshAudit

/// The behaviour every `AuditStore` must have. `SQLiteStoreTests` and `PostgresStoreTests`
/// run each check against their own store (one test method per check, so failures are named).
struct StoreContract {
    let harness: StoreHarness

    func appendAssignsContiguousChainedSequences() throws {
        let store = try harness.open(Fixtures.configuration())
        let first = try store.append(Fixtures.inputs(1..<4))
        XCTAssertEqual(first.stored, 3)
        XCTAssertEqual(first.duplicates, 0)
        XCTAssertEqual(first.sequences, [1, 2, 3])
        let second = try store.append(Fixtures.inputs(4..<9))
        XCTAssertEqual(second.sequences, [4, 5, 6, 7, 8])
        XCTAssertEqual(try store.count, 8)

        var previousHash = AuditRecordHasher.genesisHash
        for sequence in Int64(1)...8 {
            let record = try XCTUnwrap(try store.record(sequence: sequence))
            XCTAssertEqual(record.sequence, sequence)
            XCTAssertEqual(record.previousHash, previousHash, "link of \(sequence)")
            XCTAssertEqual(AuditRecordHasher.recompute(record), record.recordHash, "hash of \(sequence)")
            XCTAssertEqual(record.input, Fixtures.input(Int(sequence)), "round trip of \(sequence)")
            previousHash = record.recordHash
        }
        XCTAssertEqual(try store.head(), AuditHead(sequence: 8, recordHash: previousHash))
        XCTAssertEqual(second.head, try store.head())
        XCTAssertNil(try store.record(sequence: 9))
        XCTAssertEqual(try store.append([]).stored, 0)
    }

    func sequenceContinuesAcrossReopen() throws {
        var store: AuditStore? = try harness.open(Fixtures.configuration())
        let logID = store!.logID
        _ = try store!.append(Fixtures.inputs(1..<8))
        let headBefore = try store!.head()
        store = nil

        let reopened = try harness.open(Fixtures.configuration())
        XCTAssertEqual(reopened.logID, logID, "the log identity survives reopening")
        XCTAssertEqual(try reopened.head(), headBefore)
        let outcome = try reopened.append(Fixtures.inputs(8..<13))
        XCTAssertEqual(outcome.sequences, [8, 9, 10, 11, 12])
        XCTAssertEqual(try reopened.record(sequence: 8)?.previousHash, headBefore?.recordHash)
        XCTAssertEqual(try reopened.checkpoints().map(\.sequence), [5, 10])
        let report = try AuditVerifier.verify(reopened, trust: Fixtures.trust)
        XCTAssertTrue(report.isValid, report.summary)
    }

    func dedupeByEnvelopeID() throws {
        let store = try harness.open(Fixtures.configuration())
        _ = try store.append(Fixtures.inputs(1..<4))
        // Same envelope id, new Kafka coordinates (a re-publish): duplicate.
        let again = Fixtures.input(2, offset: 900)
        // Two copies inside one batch: the first is stored, the second is a duplicate.
        let fresh = Fixtures.input(4)
        let freshCopy = Fixtures.input(4, offset: 901)
        let outcome = try store.append([again, fresh, freshCopy])
        XCTAssertEqual(outcome.stored, 1)
        XCTAssertEqual(outcome.duplicates, 2)
        XCTAssertEqual(outcome.sequences, [nil, 4, nil])
        XCTAssertEqual(try store.count, 4)
        XCTAssertEqual(try store.append(Fixtures.inputs(1..<5)).duplicates, 4, "a full redelivery stores nothing")
    }

    /// Large batches take the optimistic bulk path (multi-row INSERT / COPY); a redelivery
    /// overlapping stored records makes it fall back, and only the new records are stored.
    func dedupeInLargeBatchesAfterARedelivery() throws {
        let store = try harness.open(Fixtures.configuration(everyRecords: 25))
        XCTAssertEqual(try store.append(Fixtures.inputs(1..<101)).stored, 100)
        var overlapping = Fixtures.inputs(61..<141)
        overlapping[10].kafka.offset = 5_000  // a re-publish of env-71: same id, new coordinates
        overlapping.append(Fixtures.input(500, offset: 120))  // new id, coordinates of env-120
        let outcome = try store.append(overlapping)
        XCTAssertEqual(outcome.stored, 40, "\(harness.name)")
        XCTAssertEqual(outcome.duplicates, 41, "40 stored before, env-500 after env-120 in the batch")
        XCTAssertEqual(outcome.sequences.compactMap { $0 }, Array(101...140))
        let stored = try store.search(.all)
        XCTAssertEqual(stored.map(\.sequence), Array(1...140))
        XCTAssertEqual(Set(stored.map(\.input.envelopeID)).count, 140)
        XCTAssertFalse(stored.contains { $0.input.envelopeID == "env-500" })
        XCTAssertTrue(try AuditVerifier.verify(store, trust: Fixtures.trust).isValid)
    }

    func dedupeByCoordinatesForUndecodableRecords() throws {
        let store = try harness.open(Fixtures.configuration())
        func garbage(_ offset: Int64, _ bytes: [UInt8]) -> AuditRecordInput {
            AuditRecordInput(raw: bytes, envelopeID: "", type: "", source: "", subject: "", correlationID: "",
                             causationID: "", eventTimeMicros: 0, verification: .rejected(reason: "undecodable envelope"),
                             kafka: KafkaCoordinates(topic: "mesh.work", partition: 3, offset: offset, timestampMillis: 5))
        }
        let outcome = try store.append([garbage(10, [0xde, 0xad]), garbage(11, [0xbe, 0xef]), garbage(10, [0xde, 0xad])])
        XCTAssertEqual(outcome.sequences, [1, 2, nil], "empty ids never collide; equal coordinates do")
        // Same coordinates as a stored record but a real id: still a redelivery.
        XCTAssertEqual(try store.append([Fixtures.input(1, partition: 3, offset: 11)]).duplicates, 1)
        // Another topic with the same partition/offset is a different message.
        XCTAssertEqual(try store.append([Fixtures.input(2, topic: "mesh.review", partition: 3, offset: 11)]).stored, 1)
        XCTAssertEqual(try store.record(sequence: 1)?.input.raw, [0xde, 0xad])
    }

    func rejectedRecordsAreKeptAndFlagged() throws {
        let store = try harness.open(Fixtures.configuration())
        let forged = Fixtures.input(2, verification: .rejected(reason: "bad signature by key coder-key-1"))
        _ = try store.append([Fixtures.input(1), forged, Fixtures.input(3)])
        XCTAssertEqual(try store.count, 3)
        let stored = try XCTUnwrap(try store.record(sequence: 2))
        XCTAssertEqual(stored.input.verification, .rejected(reason: "bad signature by key coder-key-1"))
        XCTAssertEqual(try store.search(AuditSearchFilter(verification: .rejected)).map(\.sequence), [2])
        XCTAssertEqual(try store.search(AuditSearchFilter(verification: .verified)).map(\.sequence), [1, 3])
        XCTAssertTrue(try AuditVerifier.verify(store, trust: Fixtures.trust).isValid)
    }

    func traceBuildsCausalTree() throws {
        let store = try harness.open(Fixtures.configuration())
        // a → b → d, a → c; e's parent is unknown (orphan); f belongs to another conversation.
        _ = try store.append([
            Fixtures.input(1, id: "a", type: "task.assigned", correlation: "conv"),
            Fixtures.input(2, id: "b", type: "code.proposed", correlation: "conv", causation: "a"),
            Fixtures.input(3, id: "f", correlation: "other"),
            Fixtures.input(4, id: "c", type: "review.requested", correlation: "conv", causation: "a"),
            Fixtures.input(5, id: "e", type: "late.reply", correlation: "conv", causation: "lost"),
            Fixtures.input(6, id: "d", type: "review.verdict", correlation: "conv", causation: "b",
                           verification: .rejected(reason: "unknown key")),
        ])
        let trace = try store.trace(correlationID: "conv")
        XCTAssertEqual(trace.records.map(\.sequence), [1, 2, 4, 5, 6])
        XCTAssertEqual(trace.roots.map(\.record.input.envelopeID), ["a", "e"])
        let a = trace.roots[0]
        XCTAssertEqual(a.children.map(\.record.input.envelopeID), ["b", "c"])
        XCTAssertEqual(a.children[0].children.map(\.record.input.envelopeID), ["d"])
        XCTAssertTrue(trace.roots[1].children.isEmpty)
        let text = trace.rendered()
        XCTAssertTrue(text.contains("    #6 review.verdict coder id=d [REJECTED: unknown key]"), text)
        XCTAssertEqual(try store.trace(correlationID: "nothing").roots, [])
    }

    func searchFilters() throws {
        let store = try harness.open(Fixtures.configuration())
        _ = try store.append([
            Fixtures.input(1, type: "task.assigned", source: "orchestrator", subject: "T-1", correlation: "c1"),
            Fixtures.input(2, type: "code.proposed", source: "coder", subject: "T-1", correlation: "c1"),
            Fixtures.input(3, type: "review.verdict", source: "reviewer", subject: "T-2", correlation: "c2"),
            Fixtures.input(4, type: "code.proposed", source: "coder", subject: "T-2", correlation: "c2",
                           verification: .rejected(reason: "revoked key")),
            Fixtures.input(5, type: "code.proposed", source: "coder", subject: "T-3", correlation: "c3"),
        ])
        func sequences(_ filter: AuditSearchFilter) throws -> [Int64] { try store.search(filter).map(\.sequence) }
        XCTAssertEqual(try sequences(.all), [1, 2, 3, 4, 5])
        XCTAssertEqual(try sequences(AuditSearchFilter(type: "code.proposed")), [2, 4, 5])
        XCTAssertEqual(try sequences(AuditSearchFilter(source: "reviewer")), [3])
        XCTAssertEqual(try sequences(AuditSearchFilter(subject: "T-2")), [3, 4])
        XCTAssertEqual(try sequences(AuditSearchFilter(correlationID: "c1")), [1, 2])
        XCTAssertEqual(try store.records(correlationID: "c2").map(\.sequence), [3, 4])
        let t2 = Fixtures.input(2).eventTimeMicros
        let t4 = Fixtures.input(4).eventTimeMicros
        XCTAssertEqual(try sequences(AuditSearchFilter(eventTimeFromMicros: t2, eventTimeUntilMicros: t4)), [2, 3])
        XCTAssertEqual(try sequences(AuditSearchFilter(eventTimeFromMicros: t4)), [4, 5])
        XCTAssertEqual(try sequences(AuditSearchFilter(type: "code.proposed", verification: .verified)), [2, 5])
        XCTAssertEqual(try sequences(AuditSearchFilter(type: "code.proposed", limit: 2)), [2, 4])
        XCTAssertEqual(try sequences(AuditSearchFilter(afterSequence: 3)), [4, 5])
        XCTAssertEqual(try sequences(AuditSearchFilter(type: "nope")), [])
    }

    func checkpointsByCountAndTime() throws {
        let clock = Fixtures.SteppingClock()
        let store = try harness.open(Fixtures.configuration(everyRecords: 5, everySeconds: 300, clock: clock))
        let outcome = try store.append(Fixtures.inputs(1..<13))
        // Count trigger inside the batch at 5 and 10; the time trigger is not due yet.
        XCTAssertEqual(outcome.checkpoints.map(\.sequence), [5, 10])
        XCTAssertNil(try store.checkpointIfDue(), "nothing new since the last checkpoint")
        _ = try store.append(Fixtures.inputs(13..<14))
        XCTAssertNil(try store.checkpointIfDue(), "not yet 300 s")
        clock.advance(seconds: 301)
        XCTAssertEqual(try store.checkpointIfDue()?.sequence, 13)
        _ = try store.append(Fixtures.inputs(14..<15))
        XCTAssertEqual(try store.checkpointNow()?.sequence, 14)
        XCTAssertEqual(try store.checkpointNow()?.sequence, 14, "no second checkpoint for the same head")

        let checkpoints = try store.checkpoints()
        XCTAssertEqual(checkpoints.map(\.sequence), [5, 10, 13, 14])
        var hashes: [[UInt8]] = []
        try store.scan(afterSequence: 0, pageSize: 4) { page in
            hashes += page.map(\.recordHash)
            return true
        }
        for checkpoint in checkpoints {
            XCTAssertNoThrow(try checkpoint.verifySignature(trust: Fixtures.trust))
            XCTAssertEqual(checkpoint.logID, store.logID)
            XCTAssertEqual(checkpoint.headHash, hashes[Int(checkpoint.sequence) - 1])
            XCTAssertEqual(checkpoint.merkleRoot, MerkleTree.root(leaves: Array(hashes[..<Int(checkpoint.sequence)])))
        }
    }

    func exportJSONLinesAndCSVParseBack() throws {
        let store = try harness.open(Fixtures.configuration())
        var tricky = Fixtures.input(3, subject: "needs \"quotes\", commas\nand a newline")
        tricky.raw = [0, 1, 2, 255]
        _ = try store.append([Fixtures.input(1), Fixtures.input(2, verification: .rejected(reason: "bad, signature")),
                              tricky] + Fixtures.inputs(4..<7))
        let directory = Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }

        let jsonURL = directory.appendingPathComponent("export.jsonl")
        try AuditExporter.export(store, format: .jsonLines, to: jsonURL, trust: Fixtures.trust)
        let lines = try String(contentsOf: jsonURL, encoding: .utf8).split(separator: "\n").map(String.init)
        let objects = try lines.map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        XCTAssertEqual(objects.count, 8)
        XCTAssertEqual(objects.first?["kind"] as? String, "header")
        XCTAssertEqual(objects.first?["logId"] as? String, store.logID)
        let verification = try XCTUnwrap(objects.first?["verification"] as? [String: Any])
        XCTAssertEqual(verification["valid"] as? Bool, true)
        let checkpoint = try XCTUnwrap(objects.first?["lastCheckpoint"] as? [String: Any])
        XCTAssertEqual(checkpoint["sequence"] as? Int, 5)
        XCTAssertEqual(checkpoint["keyId"] as? String, Fixtures.signer.metadata.keyId)
        let records = objects.dropFirst().dropLast()
        XCTAssertEqual(records.map { $0["sequence"] as? Int }, [1, 2, 3, 4, 5, 6])
        let third = records[records.startIndex + 2]
        XCTAssertEqual(third["subject"] as? String, tricky.subject)
        XCTAssertEqual(Data(base64Encoded: try XCTUnwrap(third["rawBase64"] as? String)).map(Array.init), [0, 1, 2, 255])
        let stored3 = try XCTUnwrap(try store.record(sequence: 3))
        XCTAssertEqual(third["recordHash"] as? String, Hex.encode(stored3.recordHash))
        XCTAssertEqual(records[records.startIndex + 1]["rejectionReason"] as? String, "bad, signature")
        XCTAssertEqual(objects.last?["kind"] as? String, "trailer")
        XCTAssertEqual(objects.last?["recordCount"] as? Int, 6)
        let recordLines = lines.dropFirst().dropLast().map { $0 + "\n" }.joined()
        XCTAssertEqual(objects.last?["recordLinesSha256"] as? String, SHA256Digest.hex(Array(recordLines.utf8)))

        let csvURL = directory.appendingPathComponent("export.csv")
        try AuditExporter.export(store, filter: AuditSearchFilter(afterSequence: 1, limit: 3), format: .csv,
                                 to: csvURL, trust: Fixtures.trust)
        let csv = try String(contentsOf: csvURL, encoding: .utf8)
        let rows = CSVReader.rows(csv)
        let comments = rows.filter { $0.first?.hasPrefix("#") == true }.map { $0.joined(separator: ",") }
        XCTAssertTrue(comments.contains { $0.hasPrefix("# verification: valid") }, "\(comments)")
        XCTAssertTrue(comments.contains { $0.hasPrefix("# last-checkpoint: sequence=5 ") }, "\(comments)")
        XCTAssertTrue(comments.contains("# records: 3"), "\(comments)")
        let table = rows.filter { $0.first?.hasPrefix("#") != true }
        XCTAssertEqual(table.first, CSVLines.columns)
        let body = table.dropFirst().map { Dictionary(uniqueKeysWithValues: zip(CSVLines.columns, $0)) }
        XCTAssertEqual(body.map { $0["sequence"] }, ["2", "3", "4"])
        XCTAssertEqual(body[0]["verification"], "rejected")
        XCTAssertEqual(body[0]["rejection_reason"], "bad, signature")
        XCTAssertEqual(body[1]["subject"], tricky.subject)
        XCTAssertEqual(body[1]["record_hash"], Hex.encode(stored3.recordHash))
        XCTAssertEqual(body[1]["kafka_offset"], "3")
    }

    func triggersRefuseUpdateAndDelete() throws {
        let store = try harness.open(Fixtures.configuration())
        _ = try store.append(Fixtures.inputs(1..<6))
        let attempts = [
            "UPDATE audit_records SET type = 'x' WHERE sequence = 2",
            "DELETE FROM audit_records WHERE sequence = 5",
            "UPDATE audit_checkpoints SET sequence = 99",
            "DELETE FROM audit_checkpoints",
            "UPDATE audit_meta SET value = 'other' WHERE key = 'log_id'",
        ]
        for sql in attempts {
            XCTAssertThrowsError(try harness.raw(sql), sql) { error in
                XCTAssertTrue("\(error)".contains("append-only"), "\(sql): \(error)")
            }
        }
        XCTAssertEqual(try store.count, 5)
        XCTAssertEqual(try store.checkpoints().count, 1)
        XCTAssertTrue(try AuditVerifier.verify(store, trust: Fixtures.trust).isValid)
    }

    func abortedBatchWritesNothing() throws {
        let store = try harness.open(Fixtures.configuration())
        _ = try store.append(Fixtures.inputs(1..<11))
        let head = try store.head()
        let checkpoints = try store.checkpoints()

        struct Crash: Error {}
        let failing = try harness.open(Fixtures.configuration(fault: { sequence in
            if sequence == 15 { throw Crash() }
        }))
        XCTAssertThrowsError(try failing.append(Fixtures.inputs(11..<21))) { XCTAssertTrue($0 is Crash, "\($0)") }
        XCTAssertEqual(try failing.count, 10, "no record of the aborted batch is stored")
        XCTAssertEqual(try failing.head(), head)
        XCTAssertEqual(try failing.checkpoints(), checkpoints, "no checkpoint of the aborted batch is stored")

        // The same store object recovers: its cached chain state was discarded with the transaction.
        let retried = try store.append(Fixtures.inputs(11..<21))
        XCTAssertEqual(retried.sequences.first, 11)
        XCTAssertEqual(try store.record(sequence: 11)?.previousHash, head?.recordHash)
        let report = try AuditVerifier.verify(store, trust: Fixtures.trust)
        XCTAssertTrue(report.isValid, report.summary)
        XCTAssertEqual(report.recordCount, 20)
    }

    func untamperedStoreVerifiesClean() throws {
        let store = try harness.open(Fixtures.configuration(everyRecords: 4))
        for start in stride(from: 1, to: 40, by: 7) { _ = try store.append(Fixtures.inputs(start..<(start + 7))) }
        let report = try AuditVerifier.verify(store, trust: Fixtures.trust, pageSize: 5)
        XCTAssertTrue(report.isValid, report.summary)
        XCTAssertEqual(report.recordCount, 42)
        XCTAssertEqual(report.checkpointCount, 10)
        XCTAssertEqual(report.lastGoodCheckpoint?.sequence, 40)
        XCTAssertEqual(report.unanchoredRecords, 2)
        // An untrusting verifier does not accept the checkpoints.
        let stranger = try AuditVerifier.verify(store, trust: TrustStore([Fixtures.attacker.verificationKey]))
        XCTAssertEqual(stranger.firstFailure?.problem, .checkpointForged)
    }
}
