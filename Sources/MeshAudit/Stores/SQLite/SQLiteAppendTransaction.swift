/// The prepared statements the SQLite append path reuses for the life of the connection.
final class SQLiteStatements {
    let connection: SQLiteConnection
    lazy var insertRecord = try? connection.prepare("""
        INSERT INTO audit_records (sequence, recorded_at, previous_hash, record_hash, envelope_id, type, source,
            subject, correlation_id, causation_id, event_time, signer_key_id, signer_principal,
            verification_status, rejection_reason, kafka_topic, kafka_partition, kafka_offset, kafka_timestamp,
            raw_sha256, raw)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21)
        ON CONFLICT DO NOTHING
        """)

    init(_ connection: SQLiteConnection) {
        self.connection = connection
    }

    func prepared(_ statement: SQLiteStatement?, _ name: String) throws -> SQLiteStatement {
        guard let statement else {
            throw AuditStoreError.sqlite(code: -1, message: "could not prepare \(name)", context: "prepare")
        }
        return statement
    }
}

/// `AppendTransaction` over an open SQLite write transaction. Duplicates are detected by the
/// unique indexes on insert (`ON CONFLICT DO NOTHING`), so `alreadyStored` has nothing to do.
struct SQLiteAppendTransaction: AppendTransaction {
    let statements: SQLiteStatements
    private var connection: SQLiteConnection { statements.connection }

    func storedHead() throws -> AuditHead? {
        let statement = try connection.prepare("SELECT sequence, record_hash FROM audit_records ORDER BY sequence DESC LIMIT 1")
        guard try statement.step() else { return nil }
        return AuditHead(sequence: statement.int64(0), recordHash: statement.blob(1))
    }

    func storedRecordHashes() throws -> [[UInt8]] {
        let statement = try connection.prepare("SELECT record_hash FROM audit_records ORDER BY sequence")
        var hashes: [[UInt8]] = []
        while try statement.step() { hashes.append(statement.blob(0)) }
        return hashes
    }

    func storedLastCheckpoint() throws -> AuditCheckpoint? {
        let statement = try connection.prepare(
            "SELECT \(SQLiteSchema.checkpointColumns) FROM audit_checkpoints ORDER BY sequence DESC LIMIT 1")
        guard try statement.step() else { return nil }
        return SQLiteAuditStore.checkpoint(statement)
    }

    func alreadyStored(_ batch: [AuditRecordInput]) throws -> Set<Int> { [] }

    func insert(_ record: AuditRecord, rawSHA256: [UInt8]) throws -> Bool {
        let s = try statements.prepared(statements.insertRecord, "record insert")
        defer { s.reset() }
        let input = record.input
        try s.bind(1, record.sequence)
        try s.bind(2, record.recordedAtMicros)
        try s.bind(3, record.previousHash)
        try s.bind(4, record.recordHash)
        try s.bind(5, input.envelopeID)
        try s.bind(6, input.type)
        try s.bind(7, input.source)
        try s.bind(8, input.subject)
        try s.bind(9, input.correlationID)
        try s.bind(10, input.causationID)
        try s.bind(11, input.eventTimeMicros)
        try s.bind(12, input.signerKeyID)
        try s.bind(13, input.signerPrincipal)
        try s.bind(14, input.verification.label)
        try s.bind(15, input.verification.reason)
        try s.bind(16, input.kafka.topic)
        try s.bind(17, Int64(input.kafka.partition))
        try s.bind(18, input.kafka.offset)
        try s.bind(19, input.kafka.timestampMillis)
        try s.bind(20, rawSHA256)
        try s.bind(21, input.raw)
        _ = try s.step()
        return connection.changes == 1
    }

    func insert(_ checkpoint: AuditCheckpoint) throws {
        let s = try connection.prepare("INSERT INTO audit_checkpoints (\(SQLiteSchema.checkpointColumns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
        try s.bind(1, checkpoint.sequence)
        try s.bind(2, checkpoint.logID)
        try s.bind(3, checkpoint.headHash)
        try s.bind(4, checkpoint.merkleRoot)
        try s.bind(5, checkpoint.createdAtMicros)
        try s.bind(6, checkpoint.signature.keyId)
        try s.bind(7, checkpoint.signature.algorithm.rawValue)
        try s.bind(8, checkpoint.signature.bytes)
        _ = try s.step()
    }

    func flush() throws {}
}
