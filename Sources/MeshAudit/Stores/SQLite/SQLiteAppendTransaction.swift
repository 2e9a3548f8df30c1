/// The prepared statements the SQLite append path reuses for the life of the connection.
final class SQLiteStatements {
    /// Rows per multi-row INSERT on the optimistic path.
    static let rowsPerInsert = 16
    static let recordColumns = """
        sequence, recorded_at, previous_hash, record_hash, envelope_id, type, source,
        subject, correlation_id, causation_id, event_time, signer_key_id, signer_principal,
        verification_status, rejection_reason, kafka_topic, kafka_partition, kafka_offset, kafka_timestamp,
        raw_sha256, raw
        """

    let connection: SQLiteConnection
    /// One row; a duplicate is skipped and reported by `changes`.
    lazy var insertRecord = try? connection.prepare(Self.insertSQL(rows: 1, onConflict: "ON CONFLICT DO NOTHING"))
    /// `rowsPerInsert` rows; a duplicate fails the statement (unique constraint).
    lazy var insertRecords = try? connection.prepare(Self.insertSQL(rows: Self.rowsPerInsert, onConflict: ""))

    init(_ connection: SQLiteConnection) {
        self.connection = connection
    }

    static func insertSQL(rows: Int, onConflict: String) -> String {
        let values = (0..<rows).map { row in
            "(" + (1...21).map { "?\(row * 21 + $0)" }.joined(separator: ", ") + ")"
        }
        return "INSERT INTO audit_records (\(recordColumns)) VALUES \(values.joined(separator: ", ")) \(onConflict)"
    }

    func prepared(_ statement: SQLiteStatement?, _ name: String) throws -> SQLiteStatement {
        guard let statement else {
            throw AuditStoreError.sqlite(code: -1, message: "could not prepare \(name)", context: "prepare")
        }
        return statement
    }
}

/// A duplicate met on the optimistic path: the store rolls back and appends the batch again
/// row by row, skipping duplicates.
struct SQLiteDuplicateFound: Error {}

/// `AppendTransaction` over an open SQLite write transaction. Duplicates are detected by the
/// unique indexes on insert, so `alreadyStored` has nothing to do.
///
/// Optimistic (the first try of every batch): records are inserted `rowsPerInsert` at a time
/// with plain multi-row INSERTs; a duplicate makes one fail with a unique-constraint error,
/// reported as `SQLiteDuplicateFound`, and the store appends the batch again row by row
/// (`optimistic` false), where `ON CONFLICT DO NOTHING` skips each duplicate.
final class SQLiteAppendTransaction: AppendTransaction {
    let statements: SQLiteStatements
    let optimistic: Bool
    private var pending: [(record: AuditRecord, rawSHA256: [UInt8])] = []
    private var connection: SQLiteConnection { statements.connection }

    init(statements: SQLiteStatements, optimistic: Bool = false) {
        self.statements = statements
        self.optimistic = optimistic
    }

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
        guard optimistic else {
            let s = try statements.prepared(statements.insertRecord, "record insert")
            try Self.bind(record, rawSHA256: rawSHA256, to: s, at: 0)
            // The raw envelope (about 1 KiB) is read in place, not copied: step and reset
            // happen while the pointer is lent.
            return try record.input.raw.withUnsafeBytes { raw in
                try s.bindNoCopy(21, raw)
                defer { s.reset() }
                _ = try s.step()
                return connection.changes == 1
            }
        }
        pending.append((record, rawSHA256))
        if pending.count == SQLiteStatements.rowsPerInsert { try insertPending() }
        return true
    }

    /// Writes the buffered rows: full groups with the multi-row INSERT, the rest one by one.
    private func insertPending() throws {
        defer { pending.removeAll(keepingCapacity: true) }
        if pending.count == SQLiteStatements.rowsPerInsert {
            let s = try statements.prepared(statements.insertRecords, "multi-row record insert")
            defer { s.reset() }
            for (row, item) in pending.enumerated() {
                try Self.bind(item.record, rawSHA256: item.rawSHA256, to: s, at: Int32(row * 21))
            }
            try bindRawsInPlaceAndStep(s, from: 0)
            return
        }
        let s = try statements.prepared(statements.insertRecord, "record insert")
        for item in pending {
            defer { s.reset() }
            try Self.bind(item.record, rawSHA256: item.rawSHA256, to: s, at: 0)
            try s.bind(21, item.record.input.raw)
            try step(s)
            guard connection.changes == 1 else { throw SQLiteDuplicateFound() }
        }
    }

    /// Lends every pending row's raw bytes to the statement without copying (each pointer is
    /// valid inside its closure, so the closures nest and the step runs in the innermost).
    private func bindRawsInPlaceAndStep(_ s: SQLiteStatement, from row: Int) throws {
        guard row < pending.count else { return try step(s) }
        try pending[row].record.input.raw.withUnsafeBytes { raw in
            try s.bindNoCopy(Int32(row * 21 + 21), raw)
            try bindRawsInPlaceAndStep(s, from: row + 1)
        }
    }

    /// Steps an insert, turning a unique-constraint failure into `SQLiteDuplicateFound`.
    private func step(_ s: SQLiteStatement) throws {
        do {
            _ = try s.step()
        } catch AuditStoreError.sqlite(let code, _, _) where code == 2067 {
            // SQLITE_CONSTRAINT_UNIQUE: the envelope id or the Kafka coordinates are stored already.
            throw SQLiteDuplicateFound()
        }
    }

    /// Binds columns 1…20 of one row (all but `raw`) starting after parameter `offset`.
    private static func bind(_ record: AuditRecord, rawSHA256: [UInt8], to s: SQLiteStatement, at offset: Int32) throws {
        let input = record.input
        try s.bind(offset + 1, record.sequence)
        try s.bind(offset + 2, record.recordedAtMicros)
        try s.bind(offset + 3, record.previousHash)
        try s.bind(offset + 4, record.recordHash)
        try s.bind(offset + 5, input.envelopeID)
        try s.bind(offset + 6, input.type)
        try s.bind(offset + 7, input.source)
        try s.bind(offset + 8, input.subject)
        try s.bind(offset + 9, input.correlationID)
        try s.bind(offset + 10, input.causationID)
        try s.bind(offset + 11, input.eventTimeMicros)
        try s.bind(offset + 12, input.signerKeyID)
        try s.bind(offset + 13, input.signerPrincipal)
        try s.bind(offset + 14, input.verification.label)
        try s.bind(offset + 15, input.verification.reason)
        try s.bind(offset + 16, input.kafka.topic)
        try s.bind(offset + 17, Int64(input.kafka.partition))
        try s.bind(offset + 18, input.kafka.offset)
        try s.bind(offset + 19, input.kafka.timestampMillis)
        try s.bind(offset + 20, rawSHA256)
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

    func flush() throws {
        if !pending.isEmpty { try insertPending() }
    }
}
