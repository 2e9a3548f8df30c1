import Foundation
import MeshSigning

/// What a database backend does inside one open write transaction for `ChainAppender`.
protocol AppendTransaction {
    /// The stored head, read inside the transaction.
    func storedHead() throws -> AuditHead?
    /// Every stored record hash in sequence order (to rebuild the Merkle accumulator).
    func storedRecordHashes() throws -> [[UInt8]]
    /// The newest stored checkpoint.
    func storedLastCheckpoint() throws -> AuditCheckpoint?
    /// Indices of inputs whose envelope id or Kafka coordinates are already stored. A backend
    /// that detects conflicts on insert may return an empty set.
    func alreadyStored(_ batch: [AuditRecordInput]) throws -> Set<Int>
    /// Writes one record; false when the database reports it as a duplicate. The record is
    /// handed over (`consuming`), so a transaction that buffers it keeps it without a copy.
    func insert(_ record: consuming AuditRecord) throws -> Bool
    /// The stored copy of each of `envelopeIDs` the store holds (for `LaterCopies`).
    func storedCopies(of envelopeIDs: Set<String>) throws -> [String: StoredCopy]
    /// Writes one checkpoint.
    func insert(_ checkpoint: AuditCheckpoint) throws
    /// Writes anything buffered; called once before commit.
    func flush() throws
}

/// The in-memory view of a log's tail that appends need: head, Merkle accumulator and the
/// newest checkpoint. Rebuilt from the database whenever the stored head differs.
struct ChainState: Sendable {
    var head: AuditHead?
    var merkle = MerkleAccumulator()
    var lastCheckpoint: AuditCheckpoint?
}

/// The append algorithm shared by every store: dedupe, sequence, chain, checkpoint.
struct ChainAppender {
    let logID: String
    let configuration: AuditStoreConfiguration

    /// Brings `state` in line with the database (cheap when nothing else wrote).
    /// - Throws: `historyRewritten` when the stored log is not a continuation of what this
    ///   process appended (another writer may append; nobody may truncate or replace).
    func synchronize(_ state: inout ChainState?, in tx: AppendTransaction) throws -> ChainState {
        let stored = try tx.storedHead()
        let written = WrittenHeads.head(logID: logID)
        if let written, (stored?.sequence ?? 0) < written.sequence {
            throw AuditStoreError.historyRewritten(
                logID: logID, detail: "this process appended up to sequence \(written.sequence), "
                    + "but the stored log ends at \(stored?.sequence ?? 0) (records were deleted)")
        }
        if let cached = state, cached.head == stored, cached.merkle.size == Int(stored?.sequence ?? 0) {
            return cached
        }
        var fresh = ChainState(head: stored)
        let hashes = try tx.storedRecordHashes()
        if let written, hashes[Int(written.sequence) - 1] != written.recordHash {
            throw AuditStoreError.historyRewritten(
                logID: logID, detail: "the record stored at sequence \(written.sequence) is not the one this process "
                    + "appended there (records were replaced and the chain recomputed)")
        }
        for hash in hashes { fresh.merkle.append(leafData: hash) }
        fresh.lastCheckpoint = try tx.storedLastCheckpoint()
        return fresh
    }

    /// Appends `batch` through `tx`, updating `state` (a copy the caller keeps only if the
    /// transaction commits).
    func append(_ batch: [AuditRecordInput], state: inout ChainState, tx: AppendTransaction) throws -> AppendOutcome {
        var batch = batch
        TextNormalizer.normalize(&batch)
        if configuration.recordsLaterCopies {
            let ids = Set(batch.lazy.filter { $0.verification.isVerified }.map(\.envelopeID).filter { !$0.isEmpty })
            LaterCopies.flag(&batch, stored: try tx.storedCopies(of: ids))
        }
        let known = try tx.alreadyStored(batch)
        var seenIDs = Set<String>(minimumCapacity: batch.count)
        var seenCoordinates = Set<CoordinateKey>(minimumCapacity: batch.count)
        var sequences = [Int64?]()
        sequences.reserveCapacity(batch.count)
        var written: [AuditCheckpoint] = []
        let recordedAt = configuration.clock()

        // Inputs are read in place (`batch[index]`) and copied once, into the record handed
        // to the transaction: each copy retains a dozen strings and arrays.
        for index in batch.indices {
            let coordinates = CoordinateKey(batch[index].kafka)
            let envelopeID = batch[index].envelopeID
            let idIsNew = envelopeID.isEmpty || !seenIDs.contains(envelopeID)
            guard !known.contains(index), idIsNew, !seenCoordinates.contains(coordinates) else {
                sequences.append(nil)
                continue
            }
            let sequence = (state.head?.sequence ?? 0) + 1
            let previous = state.head?.recordHash ?? AuditRecordHasher.genesisHash
            let hash = AuditRecordHasher.hash(sequence: sequence, previousHash: previous,
                                              recordedAtMicros: recordedAt, input: batch[index])
            let record = AuditRecord(sequence: sequence, recordedAtMicros: recordedAt,
                                     previousHash: previous, recordHash: hash, input: batch[index])
            guard try tx.insert(record) else {
                sequences.append(nil)
                continue
            }
            if !envelopeID.isEmpty { seenIDs.insert(envelopeID) }
            seenCoordinates.insert(coordinates)
            state.head = AuditHead(sequence: sequence, recordHash: hash)
            state.merkle.append(leafData: hash)
            sequences.append(sequence)
            try configuration.faultInjection?(sequence)

            if let every = configuration.checkpoints.everyRecords,
               sequence - (state.lastCheckpoint?.sequence ?? 0) >= Int64(every) {
                written.append(try checkpoint(&state, at: recordedAt, tx: tx))
            }
        }
        if timeTriggerDue(state, now: recordedAt) {
            written.append(try checkpoint(&state, at: recordedAt, tx: tx))
        }
        try tx.flush()
        let stored = sequences.lazy.filter { $0 != nil }.count
        return AppendOutcome(stored: stored, duplicates: batch.count - stored, sequences: sequences,
                             head: state.head, checkpoints: written)
    }

    /// Writes a checkpoint for the current head if one is due by time (or `force`d and the head
    /// moved since the newest checkpoint).
    func checkpointIfNeeded(state: inout ChainState, force: Bool, tx: AppendTransaction) throws -> AuditCheckpoint? {
        let now = configuration.clock()
        let moved = (state.head?.sequence ?? 0) > (state.lastCheckpoint?.sequence ?? 0)
        guard moved, force || timeTriggerDue(state, now: now) else { return nil }
        let written = try checkpoint(&state, at: now, tx: tx)
        try tx.flush()
        return written
    }

    private func timeTriggerDue(_ state: ChainState, now: Int64) -> Bool {
        guard let seconds = configuration.checkpoints.everySeconds,
              let head = state.head, head.sequence > (state.lastCheckpoint?.sequence ?? 0) else { return false }
        // With no checkpoint yet the first append anchors the log straight away.
        guard let last = state.lastCheckpoint else { return true }
        return Double(now - last.createdAtMicros) >= seconds * 1_000_000
    }

    private func checkpoint(_ state: inout ChainState, at now: Int64, tx: AppendTransaction) throws -> AuditCheckpoint {
        guard let head = state.head else { preconditionFailure("checkpoint of an empty log") }
        let checkpoint = AuditCheckpoint.sign(logID: logID, sequence: head.sequence, headHash: head.recordHash,
                                              merkleRoot: state.merkle.root, createdAtMicros: now,
                                              signer: configuration.signer)
        try tx.insert(checkpoint)
        state.lastCheckpoint = checkpoint
        return checkpoint
    }
}

/// The newest head this process appended to each log (by log id), kept for the life of the
/// process so that reopening a store (the sink does after errors) does not forget it. A log
/// only grows: if its stored head is ever behind this, or holds another record there, it was
/// rewritten underneath the writer.
enum WrittenHeads {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var heads: [String: AuditHead] = [:]

    static func head(logID: String) -> AuditHead? { lock.withLock { heads[logID] } }

    /// Called after a commit with the head it left.
    static func record(_ head: AuditHead?, logID: String) {
        guard let head else { return }
        lock.withLock {
            if (heads[logID]?.sequence ?? 0) <= head.sequence { heads[logID] = head }
        }
    }
}

/// Hashable Kafka coordinates (timestamp excluded: it does not identify a message).
struct CoordinateKey: Hashable {
    let topic: String
    let partition: Int32
    let offset: Int64

    init(_ coordinates: KafkaCoordinates) {
        topic = coordinates.topic
        partition = coordinates.partition
        offset = coordinates.offset
    }
}

/// PostgreSQL text cannot hold U+0000, and both stores must hash exactly what they store, so
/// NUL characters in text fields (possible only in garbage envelopes) become U+FFFD before
/// hashing (`indexable`). The raw bytes keep the original.
enum TextNormalizer {
    /// Normalizes the inputs that need it; the common case (every field clean, e.g. built by
    /// the sink) copies nothing.
    static func normalize(_ batch: inout [AuditRecordInput]) {
        // Looked for before any write: writing to `batch` makes its own copy of the caller's
        // array (every input retained), which the common case must not pay for.
        guard batch.contains(where: hasNUL) else { return }
        for index in batch.indices where hasNUL(batch[index]) {
            batch[index] = normalized(batch[index])
        }
    }

    static func normalized(_ input: AuditRecordInput) -> AuditRecordInput {
        var input = input
        input.envelopeID = indexable(input.envelopeID)
        input.type = indexable(input.type)
        input.source = indexable(input.source)
        input.subject = indexable(input.subject)
        input.correlationID = indexable(input.correlationID)
        input.causationID = indexable(input.causationID)
        input.signerKeyID = input.signerKeyID.map(indexable)
        input.signerPrincipal = input.signerPrincipal.map(indexable)
        if case .rejected(let reason) = input.verification { input.verification = .rejected(reason: indexable(reason)) }
        input.kafka.topic = indexable(input.kafka.topic)
        return input
    }

    private static func hasNUL(_ input: AuditRecordInput) -> Bool {
        containsNUL(input.envelopeID) || containsNUL(input.type) || containsNUL(input.source)
            || containsNUL(input.subject) || containsNUL(input.correlationID) || containsNUL(input.causationID)
            || input.signerKeyID.map(containsNUL) == true || input.signerPrincipal.map(containsNUL) == true
            || input.verification.reason.map(containsNUL) == true || containsNUL(input.kafka.topic)
    }
}
