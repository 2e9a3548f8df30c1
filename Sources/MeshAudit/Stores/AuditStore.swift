/// An append-only, hash-chained audit log. Implemented by `SQLiteAuditStore` and
/// `PostgresAuditStore`; the verifier, tracer and exporter work on any implementation.
///
/// There is deliberately no update or delete operation, and both stores install database
/// triggers that refuse UPDATE and DELETE on their tables.
public protocol AuditStore: AnyObject, Sendable {
    /// The random identity of this log, fixed when the store was first created; it is part of
    /// every checkpoint signature.
    var logID: String { get }

    /// Appends `batch` in one database transaction: assigns sequences, chains hashes, writes
    /// the checkpoints that fall due, and skips duplicates (same envelope id, or same Kafka
    /// topic/partition/offset). Either the whole batch commits or nothing does; after a crash
    /// the chain continues from the stored head.
    func append(_ batch: [AuditRecordInput]) throws -> AppendOutcome

    /// Writes a checkpoint if the time trigger of the policy is due and the head moved.
    /// Call it from the sink's poll loop so idle periods still get checkpointed.
    @discardableResult
    func checkpointIfDue() throws -> AuditCheckpoint?

    /// Writes a checkpoint now unless the newest checkpoint already covers the head
    /// (e.g. on orderly shutdown). Returns the newest checkpoint either way.
    @discardableResult
    func checkpointNow() throws -> AuditCheckpoint?

    /// The newest record's sequence and hash, or nil for an empty log.
    func head() throws -> AuditHead?

    /// The record stored at `sequence`, if any.
    func record(sequence: Int64) throws -> AuditRecord?

    /// Every record with this correlation id, ordered by sequence.
    func records(correlationID: String) throws -> [AuditRecord]

    /// Records matching `filter`, ordered by sequence.
    func search(_ filter: AuditSearchFilter) throws -> [AuditRecord]

    /// Every checkpoint, ordered by sequence.
    func checkpoints() throws -> [AuditCheckpoint]

    /// Number of stored records.
    var count: Int { get throws }

    /// Reads stored rows as they are, ordered by stored sequence, starting after
    /// `afterSequence`, `pageSize` at a time, until `body` returns false. No check is made:
    /// this is the raw view the verifier needs, read from the table itself, never through a
    /// secondary index.
    func scan(afterSequence: Int64, pageSize: Int, _ body: ([AuditRecord]) throws -> Bool) throws

    /// The database's own consistency checks: structure, and every secondary index that
    /// readers use against the table it indexes. Empty when consistent.
    func storageProblems() throws -> [StorageProblem]
}

extension AuditStore {
    /// The causal tree of one correlation id (see `AuditTrace`).
    public func trace(correlationID: String) throws -> AuditTrace {
        AuditTrace(correlationID: correlationID, records: try records(correlationID: correlationID))
    }
}
