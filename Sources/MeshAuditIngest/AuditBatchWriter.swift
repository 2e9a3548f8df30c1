import MeshAudit
import MeshSigning

/// Appends one batch of the sink's records to the store, and copes with a record the
/// database refuses (a constraint, a data or size limit, a trigger).
///
/// - The whole batch is appended in one transaction when it can be.
/// - When the database refuses the batch, it is split in halves, recursively and in order, so
///   every good record is still stored (in Kafka order) and the refused ones are isolated.
/// - A refused record is tried `maxAttempts` times in all; then it is stored FLAGGED: its raw
///   bytes and Kafka coordinates are kept, its indexed fields are withheld and the reason
///   names the database error. If even that is refused it is handed back for dead-lettering.
///   Nothing is ever dropped silently.
/// - Transient errors (database down, busy, out of space) are thrown: the caller retries the
///   whole batch later; what was already stored is skipped as a duplicate then.
public struct AuditBatchWriter: Sendable {
    /// What one batch came to.
    public struct Result: Sendable {
        /// Records newly stored (flagged ones included).
        public var stored = 0
        /// Records already stored before.
        public var duplicates = 0
        /// Checkpoints written.
        public var checkpoints: [AuditCheckpoint] = []
        /// The head after the batch.
        public var head: AuditHead?
        /// For each input: whether this call stored it (as received or flagged).
        public var storedNow: [Bool]
        /// Inputs the database refused as received and that were stored flagged instead, with the reason.
        public var flagged: [(index: Int, reason: String)] = []
        /// Inputs the database refused even flagged: the caller must dead-letter them.
        public var unstorable: [(index: Int, reason: String)] = []
        /// Failed appends on the way (each refused attempt counts).
        public var refusedAttempts = 0

        init(count: Int) { storedNow = Array(repeating: false, count: count) }
    }

    /// Attempts for a refused record as received before it is stored flagged.
    public var maxAttempts: Int

    public init(maxAttempts: Int = 3) {
        precondition(maxAttempts >= 1, "maxAttempts must be at least 1")
        self.maxAttempts = maxAttempts
    }

    /// Appends `inputs`. Throws only errors worth retrying later (see `AuditStoreFailureKind`).
    public func write(_ inputs: [AuditRecordInput], to store: AuditStore) throws -> Result {
        var result = Result(count: inputs.count)
        try place(inputs.indices, of: inputs, into: store, result: &result, attemptsSoFar: 0)
        return result
    }

    private func place(
        _ range: Range<Int>, of inputs: [AuditRecordInput], into store: AuditStore, result: inout Result, attemptsSoFar: Int
    ) throws {
        guard !range.isEmpty else { return }
        do {
            // The whole batch is handed over as it is: a sub-array would copy every input.
            let batch = range == inputs.indices ? inputs : Array(inputs[range])
            record(try store.append(batch), for: range, in: &result)
            return
        } catch let error as AuditStoreError where error.failureKind == .refused {
            result.refusedAttempts += 1
            if range.count > 1 {
                // The failed batch counts as one attempt of each record in it.
                let middle = range.lowerBound + range.count / 2
                try place(range.lowerBound..<middle, of: inputs, into: store, result: &result, attemptsSoFar: attemptsSoFar + 1)
                try place(middle..<range.upperBound, of: inputs, into: store, result: &result, attemptsSoFar: attemptsSoFar + 1)
                return
            }
            if attemptsSoFar + 1 < maxAttempts {
                try place(range, of: inputs, into: store, result: &result, attemptsSoFar: attemptsSoFar + 1)
                return
            }
            try storeFlagged(range.lowerBound, inputs[range.lowerBound], refusal: error, into: store, result: &result)
        }
    }

    private func storeFlagged(
        _ index: Int, _ input: AuditRecordInput, refusal: AuditStoreError, into store: AuditStore, result: inout Result
    ) throws {
        let flagged = Self.flagged(input, refusal: refusal, attempts: maxAttempts)
        do {
            record(try store.append([flagged]), for: index..<index + 1, in: &result)
            result.flagged.append((index, flagged.verification.reason ?? ""))
        } catch let error as AuditStoreError where error.failureKind == .refused {
            result.refusedAttempts += 1
            result.unstorable.append((index, "the audit store refused the record \(maxAttempts) time(s) (\(refusal)) "
                                        + "and refused it flagged too (\(error))"))
        }
    }

    /// The flagged stand-in for a refused record: the exact bytes and Kafka coordinates, no
    /// indexed fields (they may be what the database refuses), the refusal as the reason.
    public static func flagged(_ input: AuditRecordInput, refusal: AuditStoreError, attempts: Int) -> AuditRecordInput {
        var reason = "store-refused: the audit store refused this record \(attempts) time(s) as received: \(refusal)"
        if !input.envelopeID.isEmpty { reason += " (claimed envelope id \(input.envelopeID))" }
        if let earlier = input.verification.reason { reason += " (also failed verification: \(earlier))" }
        return AuditRecordInput(
            raw: input.raw, envelopeID: "", type: "", source: "", subject: "", correlationID: "", causationID: "",
            eventTimeMicros: input.eventTimeMicros, signerKeyID: nil, signerPrincipal: nil,
            verification: .rejected(reason: String(reason.prefix(4_000))), kafka: input.kafka)
    }

    private func record(_ outcome: AppendOutcome, for range: Range<Int>, in result: inout Result) {
        result.stored += outcome.stored
        result.duplicates += outcome.duplicates
        result.checkpoints += outcome.checkpoints
        if let head = outcome.head { result.head = head }
        for (offset, index) in range.enumerated() { result.storedNow[index] = outcome.sequences[offset] != nil }
    }
}
