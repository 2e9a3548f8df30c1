import Foundation
import XCTest
import MeshAuditIngest
import MeshCatalog
import MeshKafka
import MeshRuntime
import MeshSigning
import MeshTransport
import MeshTestSupport
import MeshWire
@testable import MeshAudit

/// A log written the way mesh-audit-sink writes it: a real key ring (role keys HMAC, as
/// `meshctl keys init` makes by default; the audit sink's key Ed25519 and pinned; a person's
/// Ed25519 key), real sealed envelopes turned into inputs by the sink's `AuditInputBuilder`,
/// checkpoints every 5 records (5, 10, 15, 20) appended to an anchor file as the sink does.
/// Verification goes through a store opened read-only, with the checkpoint keys from the
/// trust file and every envelope re-checked, as `meshctl audit verify --anchor FILE` does.
final class AnchoredLog {
    let harness: StoreHarness
    let ring: URL
    let anchorFile: String
    let store: AuditStore
    let sink: MessageSigner
    let coding: EnvelopeSealer
    let builder: AuditInputBuilder
    private var offset: Int64 = 0

    /// A log in the harness's current database; a new key ring unless `ring` is given.
    init(harness: StoreHarness, ring existing: URL? = nil, recordsLaterCopies: Bool = false) throws {
        self.harness = harness
        ownsRing = existing == nil
        ring = existing ?? Fixtures.temporaryDirectory()
        anchorFile = ring.appendingPathComponent("anchors-\(UUID().uuidString).jsonl").path
        if existing == nil {
            try KeyRingStore.initialize(at: ring.path, roles: ["coding", "reviewer", "audit-sink"], people: ["alice"],
                                        algorithm: .hmacSHA256, checkpointSigners: ["audit-sink"])
        }
        sink = try KeyRingStore.loadSigner(principal: "audit-sink", from: ring.path)
        coding = EnvelopeSealer(signer: try KeyRingStore.loadSigner(principal: "coding", from: ring.path))
        builder = AuditInputBuilder(opener: EnvelopeOpener(trust: try KeyRingStore.loadTrustStore(from: ring.path)))
        var configuration = AuditStoreConfiguration(
            signer: sink, checkpoints: CheckpointPolicy(everyRecords: 5, everySeconds: nil), clock: { Fixtures.SteppingClock().read() })
        configuration.recordsLaterCopies = recordsLaterCopies
        store = try harness.open(configuration)
        try append(1..<8)
        try append(8..<21)
        XCTAssertEqual(try store.checkpoints().map(\.sequence), [5, 10, 15, 20])
        try harness.dropTriggers()
    }

    private let ownsRing: Bool

    deinit { if ownsRing { try? FileManager.default.removeItem(at: ring) } }

    /// Record `n`'s envelope: a task result of objective obj-1 from the coding role. Record 3
    /// is signed by a key no one trusts, so the sink stores it flagged rejected.
    func sealed(_ n: Int) throws -> [UInt8] {
        let envelope = Envelope(
            source: "/mesh/coding/agent-1", correlationID: "obj-1", subject: "task-\(n)",
            timeUnixMicros: 1_760_000_000_000_000 + Int64(n),
            payload: .taskResult(TaskResult(taskID: "task-\(n)", planID: "plan-1", state: .completed,
                                            summary: "result \(n)", agentID: "agent-1")))
        if n == 3 { return try EnvelopeSealer(signer: Fixtures.attacker).seal(envelope) }
        return try coding.seal(envelope)
    }

    func input(raw: [UInt8]) -> AuditRecordInput {
        offset += 1
        return builder.build(raw: raw, kafka: KafkaCoordinates(topic: "mesh.results", partition: 0, offset: offset,
                                                                timestampMillis: 1_760_000_000_000 + offset)).input
    }

    private func append(_ range: Range<Int>) throws {
        let outcome = try store.append(try range.map { input(raw: try sealed($0)) })
        try CheckpointAnchorFiles.append(outcome.checkpoints, toFile: anchorFile)
    }

    var checkpointTrust: TrustStore {
        get throws { try KeyRingStore.loadCheckpointTrust(trustFile: KeyRingStore.trustFile(in: ring.path)) }
    }

    /// `audit verify --anchor <anchor file>` on a read-only store.
    func verify(anchors: [AuditCheckpoint]? = nil) throws -> VerificationReport {
        let reader = try harness.openForReading()
        return try AuditVerifier.verify(
            reader, trust: try checkpointTrust, anchors: try anchors ?? CheckpointAnchorFiles.read(anchorFile),
            envelopes: StoredEnvelopeRecheck(trust: try KeyRingStore.loadTrustStore(from: ring.path)), pageSize: 6)
    }

    /// Replaces records `from`… with `records` (re-inserted whole), as an attacker who
    /// recomputes the chain does.
    func replace(from sequence: Int64, with records: [AuditRecord]) throws {
        try harness.raw((["DELETE FROM audit_records WHERE sequence >= \(sequence)"]
                         + records.map { insertSQL($0, harness: harness) }).joined(separator: ";\n"))
    }

    /// Every record from `sequence` on, with `change` applied to record `sequence` and the
    /// hashes and links of it and every later record recomputed.
    func rechained(from sequence: Int64, _ change: (inout AuditRecord) throws -> Void) throws -> [AuditRecord] {
        var previous = sequence == 1 ? AuditRecordHasher.genesisHash : try XCTUnwrap(try store.record(sequence: sequence - 1)).recordHash
        var result: [AuditRecord] = []
        var next = sequence
        while var record = try store.record(sequence: next) {
            if next == sequence { try change(&record) }
            record.previousHash = previous
            record.recordHash = AuditRecordHasher.recompute(record)
            previous = record.recordHash
            result.append(record)
            next += 1
        }
        return result
    }

    /// Checkpoints for the records now in the database, signed with `signer` (an attacker
    /// re-signing after a rewrite).
    func resignedCheckpoints(_ signer: MessageSigner) throws -> [AuditCheckpoint] {
        var merkle = MerkleAccumulator()
        var checkpoints: [AuditCheckpoint] = []
        var sequence: Int64 = 1
        while let record = try store.record(sequence: sequence) {
            merkle.append(leafData: record.recordHash)
            if sequence % 5 == 0 {
                checkpoints.append(AuditCheckpoint.sign(logID: store.logID, sequence: sequence, headHash: record.recordHash,
                                                        merkleRoot: merkle.root, createdAtMicros: 7, signer: signer))
            }
            sequence += 1
        }
        return checkpoints
    }

    func insertCheckpointsSQL(_ checkpoints: [AuditCheckpoint]) -> String {
        checkpoints.map { checkpoint in
            "INSERT INTO audit_checkpoints (\(SQLiteSchema.checkpointColumns)) VALUES (\(checkpoint.sequence), "
                + "\(harness.text(checkpoint.logID)), \(harness.blob(checkpoint.headHash)), \(harness.blob(checkpoint.merkleRoot)), "
                + "\(checkpoint.createdAtMicros), \(harness.text(checkpoint.signature.keyId)), "
                + "\(harness.text(checkpoint.signature.algorithm.rawValue)), \(harness.blob(checkpoint.signature.bytes)))"
        }.joined(separator: ";\n")
    }

    /// Every private key an attacker reading `<home>/keys` finds, except the audit sink's.
    func readableKeysOtherThanTheSink() throws -> [MessageSigner] {
        try KeyRingStore.listKeys(in: ring.path).filter { $0.principal != "audit-sink" }
            .map { try KeyRingStore.loadSigner(principal: $0.principal, from: ring.path) }
    }
}

/// The attacks of issue 16 ("What must be shown"), each against `audit verify --anchor`,
/// which must fail naming the first bad record (or checkpoint). Run on SQLite and PostgreSQL.
struct AnchoredTamperContract {
    let harness: StoreHarness

    private func expectFirstFailure(
        _ log: AnchoredLog, sequence: Int64, _ problem: VerificationReport.Problem,
        anchors: [AuditCheckpoint]? = nil, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let report = try log.verify(anchors: anchors)
        XCTAssertFalse(report.isValid, "tampering went unnoticed", file: file, line: line)
        XCTAssertEqual(report.firstFailure?.sequence, sequence, report.summary, file: file, line: line)
        XCTAssertEqual(report.firstFailure?.problem, problem, report.summary, file: file, line: line)
    }

    func untouchedLogVerifiesAgainstItsAnchors() throws {
        let log = try AnchoredLog(harness: harness)
        let report = try log.verify()
        XCTAssertTrue(report.isValid, report.summary)
        XCTAssertEqual(report.anchoredCheckpointCount, 4)
        XCTAssertEqual(report.envelopesChecked, 20)
        XCTAssertEqual(report.lastGoodCheckpoint?.sequence, 20)
        XCTAssertEqual(try log.store.record(sequence: 3)?.input.verification.isVerified, false, "record 3 is the flagged forgery")
    }

    /// Every column of a verified record (7) and of a rejected one (3), changed without
    /// rehashing, is named.
    func anyColumnChanged() throws {
        let mutations: [(column: String, set: (AnchoredLog) -> String)] = [
            ("recorded_at", { _ in "recorded_at = recorded_at + 1" }),
            ("previous_hash", { $0.harness.blob([UInt8](repeating: 3, count: 32)) }),
            ("record_hash", { $0.harness.blob([UInt8](repeating: 4, count: 32)) }),
            ("envelope_id", { _ in "envelope_id = 'forged-id'" }),
            ("type", { _ in "type = 'agentmesh.verdict.v1'" }),
            ("source", { _ in "source = '/mesh/reviewer/r-1'" }),
            ("subject", { _ in "subject = 'other-task'" }),
            ("correlation_id", { _ in "correlation_id = 'obj-2'" }),
            ("causation_id", { _ in "causation_id = 'x'" }),
            ("event_time", { _ in "event_time = event_time + 1" }),
            ("signer_key_id", { _ in "signer_key_id = ''" }),
            ("signer_principal", { _ in "signer_principal = CASE WHEN signer_principal IS NULL THEN '' ELSE NULL END" }),
            ("verification_status", { _ in "verification_status = 'rejected', rejection_reason = 'x'" }),
            ("rejection_reason", { _ in "rejection_reason = ''" }),
            ("kafka_topic", { _ in "kafka_topic = 'mesh.plans'" }),
            ("kafka_partition", { _ in "kafka_partition = kafka_partition + 1" }),
            ("kafka_offset", { _ in "kafka_offset = kafka_offset + 100" }),
            ("kafka_timestamp", { _ in "kafka_timestamp = kafka_timestamp + 1" }),
            ("raw_sha256", { $0.harness.blob([UInt8](repeating: 5, count: 32)) }),
            ("raw", { $0.harness.blob(Array("forged envelope".utf8)) }),
        ]
        XCTAssertEqual(Set(mutations.map(\.column)), Set(RecordColumns.names).subtracting(["sequence"]),
                       "every stored column but the sequence (moved records: see swappedRecords) is tampered with")
        for (column, set) in mutations {
            for target: Int64 in [7, 3] {
                let log = try AnchoredLog(harness: harness)
                var assignment = set(log)
                if assignment.hasPrefix("'") || assignment.hasPrefix("X'") { assignment = "\(column) = \(assignment)" }
                try harness.raw("UPDATE audit_records SET \(assignment) WHERE sequence = \(target)")
                let report = try log.verify()
                XCTAssertFalse(report.isValid, "\(column) of record \(target) changed unnoticed")
                XCTAssertEqual(report.firstFailure?.sequence, target, "\(column) of record \(target): \(report.summary)")
                harness.reset()
            }
        }
    }

    /// NULL instead of empty (and back), and a partition beyond 32 bits, are not folded away.
    func nullEmptyAndWidePartitionAreNotFolded() throws {
        let log = try AnchoredLog(harness: harness)
        try harness.raw("UPDATE audit_records SET rejection_reason = NULL WHERE sequence = 3")
        try expectFirstFailure(log, sequence: 3, .contentChanged)
        harness.reset()

        let wide = try AnchoredLog(harness: harness)
        if harness is SQLiteHarness {
            // INTEGER in SQLite holds 64 bits: 2^32 + 0 read as Int32 would be partition 0 again.
            try harness.raw("UPDATE audit_records SET kafka_partition = kafka_partition + 4294967296 WHERE sequence = 12")
            try expectFirstFailure(wide, sequence: 12, .contentChanged)
        }
    }

    func deletedFirstMiddleAndLastRecords() throws {
        var log = try AnchoredLog(harness: harness)
        try harness.raw("DELETE FROM audit_records WHERE sequence = 1")
        try expectFirstFailure(log, sequence: 1, .recordMissing)
        harness.reset()

        log = try AnchoredLog(harness: harness)
        try harness.raw("DELETE FROM audit_records WHERE sequence = 9")
        try expectFirstFailure(log, sequence: 9, .recordMissing)
        harness.reset()

        log = try AnchoredLog(harness: harness)
        try harness.raw("DELETE FROM audit_records WHERE sequence > 17")
        try expectFirstFailure(log, sequence: 18, .tailTruncated)
    }

    func swappedRecords() throws {
        let log = try AnchoredLog(harness: harness)
        try harness.raw("""
            UPDATE audit_records SET sequence = -1 WHERE sequence = 11;
            UPDATE audit_records SET sequence = 11 WHERE sequence = 12;
            UPDATE audit_records SET sequence = 12 WHERE sequence = -1
            """)
        try expectFirstFailure(log, sequence: 11, .recordsReordered)
    }

    /// An approval-looking record appended after the head, chained correctly: its envelope is
    /// signed by no trusted key, yet stored as verified.
    func fabricatedRecordAppended() throws {
        let log = try AnchoredLog(harness: harness)
        let head = try XCTUnwrap(try log.store.record(sequence: 20))
        let forgedEnvelope = Envelope(source: "/mesh/coding/agent-1", correlationID: "obj-1", subject: "task-99",
                                      payload: .taskResult(TaskResult(taskID: "task-99", planID: "plan-1", state: .completed,
                                                                      summary: "approved by nobody", agentID: "agent-1")))
        let raw = try EnvelopeSealer(signer: Fixtures.attacker).seal(forgedEnvelope)
        var input = log.input(raw: raw)
        input.verification = .verified
        input.envelopeID = forgedEnvelope.id
        input.signerPrincipal = "coding"
        let forged = AuditRecord(sequence: 21, recordedAtMicros: head.recordedAtMicros + 1, previousHash: head.recordHash,
                                 recordHash: AuditRecordHasher.hash(sequence: 21, previousHash: head.recordHash,
                                                                    recordedAtMicros: head.recordedAtMicros + 1, input: input),
                                 input: input)
        try harness.raw(insertSQL(forged, harness: harness))
        try expectFirstFailure(log, sequence: 21, .envelopeMismatch)
    }

    /// A middle record's field edited, the chain recomputed and every checkpoint deleted.
    func middleEditRechainedAndCheckpointsDeleted() throws {
        let log = try AnchoredLog(harness: harness)
        let rewritten = try log.rechained(from: 7) { $0.input.subject = "someone-else" }
        try log.replace(from: 7, with: rewritten)
        try harness.raw("DELETE FROM audit_checkpoints")
        XCTAssertTrue(try AuditVerifier.verify(log.store, trust: try log.checkpointTrust).isValid,
                      "the database alone cannot tell (why anchors exist)")
        let report = try log.verify()
        XCTAssertEqual(report.firstFailure?.sequence, 5, report.summary)
        XCTAssertEqual(report.firstFailure?.problem, .checkpointMissing, report.summary)
        XCTAssertTrue(report.failures.contains { $0.sequence == 7 && $0.problem == .envelopeMismatch }, report.summary)
        XCTAssertTrue(report.failures.contains { $0.sequence == 10 && $0.problem == .checkpointMismatch }, report.summary)
    }

    /// A writer reopening the store checks it against the newest anchored checkpoint
    /// (`AnchoredStartCheck`, what mesh-audit-sink runs on start): the untouched log passes,
    /// a middle edit with the chain recomputed and checkpoints deleted is refused by the
    /// consistency proof, a truncated tail and another log are refused, and a forged line in
    /// the anchor file is ignored rather than trusted.
    func startCheckRefusesARewrittenLog() throws {
        let log = try AnchoredLog(harness: harness)
        let anchors = try CheckpointAnchorFiles.read(log.anchorFile)
        let trust = try log.checkpointTrust
        let forged = AuditCheckpoint.sign(logID: log.store.logID, sequence: 25, headHash: anchors[0].headHash,
                                          merkleRoot: anchors[0].merkleRoot, createdAtMicros: 1, signer: Fixtures.attacker)
        let clean = try AnchoredStartCheck.check(log.store, anchors: anchors + [forged], trust: trust)
        XCTAssertEqual(clean.checked?.sequence, 20)
        XCTAssertEqual(clean.storedTree.size, 20)
        XCTAssertEqual(clean.ignoredUnsigned, 1)

        func expectNotExtended(_ store: AuditStore, _ anchors: [AuditCheckpoint], saying expected: String) {
            XCTAssertThrowsError(try AnchoredStartCheck.check(store, anchors: anchors, trust: trust)) { error in
                guard case .notExtended(20, let detail) = error as? AnchoredStartCheck.Refusal else { return XCTFail("\(error)") }
                XCTAssertTrue(detail.contains(expected), detail)
            }
        }
        let rewritten = try log.rechained(from: 7) { $0.input.subject = "someone-else" }
        try log.replace(from: 7, with: rewritten)
        try harness.raw("DELETE FROM audit_checkpoints")
        expectNotExtended(log.store, anchors, saying: "consistency proof fails")

        harness.reset()
        let truncated = try AnchoredLog(harness: harness, ring: log.ring)
        let truncatedAnchors = try CheckpointAnchorFiles.read(truncated.anchorFile)
        try harness.raw("DELETE FROM audit_records WHERE sequence > 17")
        expectNotExtended(truncated.store, truncatedAnchors, saying: "records 18…20 are gone")

        harness.reset()
        let other = try AnchoredLog(harness: harness, ring: log.ring)
        XCTAssertThrowsError(try AnchoredStartCheck.check(other.store, anchors: anchors, trust: trust)) { error in
            XCTAssertEqual(error as? AnchoredStartCheck.Refusal,
                           .anotherLog(storeLogID: other.store.logID, anchoredLogIDs: [log.store.logID]))
        }
    }

    /// The same rewrite, with the envelope itself re-signed with the role's key (an attacker
    /// who reads `<home>/keys`) and the checkpoints re-signed with each other key found there.
    func rewriteResignedWithEveryReadableKey() throws {
        for principal in ["coding", "reviewer", "alice"] {
            let log = try AnchoredLog(harness: harness)
            XCTAssertEqual(Set(try log.readableKeysOtherThanTheSink().map(\.metadata.principal)), ["coding", "reviewer", "alice"])
            let signer = try KeyRingStore.loadSigner(principal: principal, from: log.ring.path)
            let rewritten = try log.rechained(from: 7) { record in
                let codec = EnvelopeCodec()
                var envelope = try codec.decode(try codec.decodeSealed(record.input.raw).envelope)
                envelope.subject = "someone-else"
                record.input = log.builder.build(raw: try log.coding.seal(envelope), kafka: record.input.kafka).input
            }
            try log.replace(from: 7, with: rewritten)
            try harness.raw("DELETE FROM audit_checkpoints;\n" + log.insertCheckpointsSQL(try log.resignedCheckpoints(signer)))
            let report = try log.verify()
            XCTAssertEqual(report.envelopesChecked, 20)
            XCTAssertFalse(report.failures.contains { $0.problem == .envelopeMismatch },
                           "re-signed with the role's own key, the envelope verifies: only the anchors can tell")
            XCTAssertEqual(report.firstFailure?.sequence, 5, "\(principal): \(report.summary)")
            XCTAssertEqual(report.firstFailure?.problem, .checkpointForged, "\(principal): \(report.summary)")
            XCTAssertTrue(report.failures.contains { $0.sequence == 10 && $0.problem == .checkpointMismatch },
                          "\(principal): \(report.summary)")
            harness.reset()
        }
    }

    func allCheckpointsDeleted() throws {
        let log = try AnchoredLog(harness: harness)
        try harness.raw("DELETE FROM audit_checkpoints")
        try expectFirstFailure(log, sequence: 5, .checkpointMissing)
    }

    /// The database swapped for another valid store: one signed with the same keys, one made
    /// with a key ring of its own.
    func databaseReplacedByAnotherStore() throws {
        let original = try AnchoredLog(harness: harness)
        let anchors = try CheckpointAnchorFiles.read(original.anchorFile)
        harness.reset()
        let sameKeys = try AnchoredLog(harness: harness, ring: original.ring)
        try expectFirstFailure(sameKeys, sequence: 5, .logReplaced, anchors: anchors)
        harness.reset()

        let otherRing = try AnchoredLog(harness: harness)
        // The impostor's trust file is the original one: the auditor's copy.
        let report = try AuditVerifier.verify(
            try harness.openForReading(), trust: try original.checkpointTrust, anchors: anchors,
            envelopes: StoredEnvelopeRecheck(trust: try KeyRingStore.loadTrustStore(from: original.ring.path)))
        XCTAssertEqual(report.firstFailure?.sequence, 1, report.summary)
        XCTAssertTrue(report.failures.contains { $0.problem == .logReplaced }, report.summary)
        XCTAssertTrue(report.failures.contains { $0.problem == .checkpointForged }, report.summary)
        XCTAssertTrue(report.failures.contains { $0.sequence == 1 && $0.problem == .envelopeMismatch },
                      "the impostor's envelopes are signed by keys the auditor does not trust: \(report.summary)")
        _ = otherRing
    }

    /// An envelope's bytes changed (a finding erased), raw_sha256 and the chain recomputed:
    /// its signature no longer verifies and the record is named.
    func envelopeAlteredAndRechained() throws {
        let log = try AnchoredLog(harness: harness)
        let rewritten = try log.rechained(from: 8) { record in
            var raw = record.input.raw
            let summary = Array("result 8".utf8)
            let at = try XCTUnwrap(raw.indices.first { raw[$0...].starts(with: summary) })
            raw[at + summary.count - 1] = UInt8(ascii: "9")
            record.input.raw = raw
        }
        try log.replace(from: 8, with: rewritten)
        let report = try log.verify()
        XCTAssertEqual(report.firstFailure?.sequence, 8, report.summary)
        XCTAssertEqual(report.firstFailure?.problem, .envelopeMismatch, report.summary)
        XCTAssertTrue(report.firstFailure?.detail.contains("does not verify") == true, report.summary)
    }

    func truncatedTailWithItsCheckpoints() throws {
        let log = try AnchoredLog(harness: harness)
        try harness.raw("DELETE FROM audit_records WHERE sequence > 12;\nDELETE FROM audit_checkpoints WHERE sequence > 12")
        XCTAssertTrue(try AuditVerifier.verify(log.store, trust: try log.checkpointTrust).isValid,
                      "the database alone cannot tell (why anchors exist)")
        try expectFirstFailure(log, sequence: 13, .tailTruncated)
    }

    /// A secondary index doctored through `writable_schema` so that it lacks record 9: trace
    /// through it would not show the record, verify's table scan would. (SQLite: PostgreSQL
    /// indexes cannot be swapped without superuser catalog edits.)
    @discardableResult
    func doctoredIndex() throws -> VerificationReport {
        let log = try AnchoredLog(harness: harness)
        XCTAssertTrue(try harness.sequencesThroughCorrelationIndex("obj-1").contains(9), "record 9 is traced before the attack")
        try harness.hideFromCorrelationIndex(sequence: 9, correlationID: "obj-1")
        XCTAssertFalse(try harness.sequencesThroughCorrelationIndex("obj-1").contains(9),
                       "the doctored index hides record 9 from trace (the attack works)")
        let report = try log.verify()
        XCTAssertFalse(report.isValid, report.summary)
        XCTAssertEqual(report.firstFailure?.problem, .storageInconsistent, report.summary)
        XCTAssertTrue(report.failures.contains {
            $0.sequence == 9 && $0.problem == .storageInconsistent && $0.detail.contains("index audit_records_correlation disagrees")
        }, report.summary)
        return report
    }

    /// A role key revoked after its envelopes were stored is not tampering: they keep their
    /// stored status (a revocation distrusts new signatures, it does not rewrite history).
    func revokedKeyIsNotTampering() throws {
        let log = try AnchoredLog(harness: harness)
        let coding = try XCTUnwrap(try KeyRingStore.listKeys(in: log.ring.path).first { $0.principal == "coding" })
        try KeyRingStore.revoke(keyId: coding.keyId, at: log.ring.path)
        let report = try log.verify()
        XCTAssertTrue(report.isValid, report.summary)
        XCTAssertEqual(report.envelopesChecked, 20)
    }

    /// The writer refuses to append on top of a log rewritten underneath it (a sink would
    /// otherwise sign the rewrite in its next checkpoint), also after reopening the store.
    func writerRefusesARewrittenLog() throws {
        func expectRefusal(_ append: @autoclosure () throws -> AppendOutcome, _ what: String) {
            XCTAssertThrowsError(try append(), what) { error in
                guard case .historyRewritten = error as? AuditStoreError else { return XCTFail("\(what): \(error)") }
                XCTAssertEqual((error as? AuditStoreError)?.failureKind, .transient, "the sink retries and stays unready")
            }
        }
        let truncated = try AnchoredLog(harness: harness)
        try harness.raw("DELETE FROM audit_records WHERE sequence > 17")
        expectRefusal(try truncated.store.append([truncated.input(raw: try truncated.sealed(40))]), "truncated")
        let reopened = try harness.open(AuditStoreConfiguration(signer: truncated.sink))
        expectRefusal(try reopened.append([truncated.input(raw: try truncated.sealed(41))]), "truncated, reopened")
        XCTAssertEqual(try reopened.head()?.sequence, 17, "nothing was appended")
        harness.reset()

        let replaced = try AnchoredLog(harness: harness)
        try replaced.replace(from: 20, with: try replaced.rechained(from: 20) { $0.input.subject = "someone-else" })
        expectRefusal(try replaced.store.append([replaced.input(raw: try replaced.sealed(40))]), "last record replaced")
    }

    /// A later copy of a stored envelope id is recorded, not skipped: the same bytes are a
    /// duplicate; other bytes from the same signer, type, cause and topic are stored flagged
    /// superseded; another signer, type or topic is stored flagged conflict. Verify (every
    /// envelope re-checked) accepts them and counts them. Off, later copies are skipped.
    func laterCopiesAreStoredFlagged() throws {
        for recording in [true, false] {
            let log = try AnchoredLog(harness: harness, recordsLaterCopies: recording)
            let seven = try XCTUnwrap(try log.store.record(sequence: 7))
            let codec = EnvelopeCodec()
            let original = try codec.decode(try codec.decodeSealed(seven.input.raw).envelope)
            var reemitted = original
            reemitted.payload = .taskResult(TaskResult(taskID: "task-7", planID: "plan-1", state: .completed,
                                                       summary: "result 7, emitted again", agentID: "agent-1"))
            let verdict = Envelope(
                id: original.id, source: "/mesh/reviewer/r-1", correlationID: "obj-1", subject: "task-7",
                payload: .verdict(Verdict(taskID: "task-7", planID: "plan-1", kind: .review, decision: .approve,
                                          resultEnvelopeID: original.id, reviewerID: "r-1")))
            let reviewer = EnvelopeSealer(signer: try KeyRingStore.loadSigner(principal: "reviewer", from: log.ring.path))
            let conflicting = log.builder.build(raw: try reviewer.seal(verdict), kafka: KafkaCoordinates(
                topic: "mesh.verdicts", partition: 0, offset: 1, timestampMillis: 1)).input
            var fresh = original
            fresh.id = "fresh-envelope"
            var freshAgain = fresh
            freshAgain.subject = "task-7-bis"
            let outcome = try log.store.append([
                log.input(raw: seven.input.raw), log.input(raw: try log.coding.seal(reemitted)), conflicting,
                log.input(raw: try log.coding.seal(fresh)), log.input(raw: try log.coding.seal(freshAgain)),
            ])
            guard recording else {
                XCTAssertEqual(outcome.sequences, [nil, nil, nil, 21, nil], "off: every later copy is skipped")
                continue
            }
            XCTAssertEqual(outcome.sequences, [nil, 21, 22, 23, 24], "the same bytes again are a duplicate")
            let superseded = try XCTUnwrap(try log.store.record(sequence: 21)).input
            XCTAssertEqual(superseded.envelopeID, "", "the first copy keeps the id")
            XCTAssertTrue(superseded.verification.reason?.hasPrefix("superseded: ") == true, "\(superseded.verification)")
            XCTAssertTrue(superseded.verification.reason?.contains("\(original.id) (first stored at sequence 7)") == true,
                          "\(superseded.verification)")
            let conflict = try XCTUnwrap(try log.store.record(sequence: 22)).input
            XCTAssertTrue(conflict.verification.reason?.hasPrefix("conflict: ") == true, "\(conflict.verification)")
            XCTAssertTrue(conflict.verification.reason?.contains("signer reviewer (first coding)") == true, "\(conflict.verification)")
            XCTAssertTrue(conflict.verification.reason?.contains("type agentmesh.verdict.v1") == true, "\(conflict.verification)")
            XCTAssertEqual(try log.store.record(sequence: 23)?.input.envelopeID, "fresh-envelope")
            let inBatch = try XCTUnwrap(try log.store.record(sequence: 24)).input
            XCTAssertTrue(inBatch.verification.reason?.contains("first copy earlier in the same batch") == true, "\(inBatch.verification)")
            XCTAssertEqual(try log.store.trace(correlationID: "obj-1").records.count, 24, "trace shows every copy")

            let report = try log.verify()
            XCTAssertTrue(report.isValid, report.summary)
            XCTAssertEqual(report.supersededCopies, 2)
            XCTAssertEqual(report.conflictingCopies, 1)
            harness.reset()
        }
    }

    /// A verdict signed by the coding agent verifies but the catalog lets only the reviewer
    /// and compliance write verdicts: a sink with --flag-unauthorized stores it flagged, using
    /// the runtime's own `Authorization.check`; verify confirms the flag with the same check
    /// and counts it, and names a record flagged unauthorized that the catalog allows.
    func unauthorizedEnvelopesAreStoredFlagged() throws {
        let log = try AnchoredLog(harness: harness)
        let catalog = try CatalogLoader.load(directory: repositoryRoot().appendingPathComponent("Topics"))
        let authorize: AuditInputBuilder.Authorize = { Authorization.check($0, catalog: catalog) }
        let flagging = AuditInputBuilder(opener: log.builder.opener, authorize: authorize)
        let verdict = Envelope(
            source: "/mesh/coding/rogue", correlationID: "obj-1", subject: "task-1",
            payload: .verdict(Verdict(taskID: "task-1", planID: "plan-1", kind: .review, decision: .approve,
                                      resultEnvelopeID: "result-1", reviewerID: "rogue")))
        let built = flagging.build(raw: try log.coding.seal(verdict), kafka: KafkaCoordinates(
            topic: "mesh.verdicts", partition: 0, offset: 1, timestampMillis: 1))
        XCTAssertEqual(built.rejection?.reason, .unauthorized)
        XCTAssertEqual(log.builder.build(raw: built.input.raw, kafka: built.input.kafka).rejection == nil, true,
                       "without the catalog check it verifies")
        let sequence = try XCTUnwrap(try log.store.append([built.input]).sequences.first ?? nil)

        func verify() throws -> VerificationReport {
            try AuditVerifier.verify(
                try harness.openForReading(), trust: try log.checkpointTrust, anchors: try CheckpointAnchorFiles.read(log.anchorFile),
                envelopes: StoredEnvelopeRecheck(trust: try KeyRingStore.loadTrustStore(from: log.ring.path), authorize: authorize))
        }
        var report = try verify()
        XCTAssertTrue(report.isValid, report.summary)
        XCTAssertEqual(report.unauthorizedRecords, 1)
        XCTAssertTrue(try log.store.trace(correlationID: "obj-1").rendered().contains("[REJECTED: unauthorized:"))

        // A record flagged unauthorized that the catalog allows is named.
        var allowed = log.input(raw: try log.sealed(30))
        allowed.envelopeID = ""
        allowed.signerPrincipal = nil
        allowed.verification = .rejected(reason: "unauthorized: made up")
        let flaggedAllowed = try XCTUnwrap(try log.store.append([allowed]).sequences.first ?? nil)
        report = try verify()
        XCTAssertEqual(report.firstFailure?.sequence, flaggedAllowed, report.summary)
        XCTAssertEqual(report.firstFailure?.problem, .envelopeMismatch, report.summary)
        XCTAssertEqual(sequence, flaggedAllowed - 1)
    }

    /// Reading never writes: the dropped triggers stay dropped, nothing is created.
    func readersOpenReadOnly() throws {
        let log = try AnchoredLog(harness: harness)
        let reader = try harness.openForReading()
        XCTAssertEqual(try reader.trace(correlationID: "obj-1").records.count, 20)
        XCTAssertThrowsError(try reader.append([log.input(raw: try log.sealed(30))]), "a reader cannot append")
        XCTAssertEqual(try harness.triggerCount(), 0, "opening to read re-created the triggers the attacker dropped")
    }
}
