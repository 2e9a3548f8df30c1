/// The prepared statements the SQLite append path reuses for the life of the connection.
final class SQLiteStatements {
    /// Rows per multi-row INSERT on the optimistic path: a divisor of the sink's default
    /// batch (1,000), and large enough that statement setup (reset, bindings, VDBE start) is
    /// spread over many rows (16 before; 50 used ~10% less CPU per record in paired runs).
    static let rowsPerInsert = 50

    let connection: SQLiteConnection
    /// One row; a duplicate is skipped and reported by `changes`.
    lazy var insertRecord = try? connection.prepare(Self.insertSQL(rows: 1, onConflict: "ON CONFLICT DO NOTHING"))
    /// `rowsPerInsert` rows with `OR IGNORE`: a row that would break a constraint is skipped,
    /// which shows as `changes` below `rowsPerInsert`. Not aborting matters for speed: a
    /// multi-row statement that may abort halfway needs a statement journal, which SQLite
    /// writes to a temporary file for every statement (measured: 2.6 writes per record
    /// instead of 0.45).
    lazy var insertRecords = try? connection.prepare(Self.insertSQL(rows: Self.rowsPerInsert, verb: "INSERT OR IGNORE", onConflict: ""))

    init(_ connection: SQLiteConnection) {
        self.connection = connection
    }

    static func insertSQL(rows: Int, verb: String = "INSERT", onConflict: String) -> String {
        let columns = RecordColumns.count
        let values = (0..<rows).map { row in
            "(" + (1...columns).map { "?\(row * columns + $0)" }.joined(separator: ", ") + ")"
        }
        return "\(verb) INTO audit_records (\(RecordColumns.insertList)) VALUES \(values.joined(separator: ", ")) \(onConflict)"
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
/// with multi-row `INSERT OR IGNORE`s; a row not inserted (a duplicate, or any other
/// constraint) is reported as `SQLiteDuplicateFound`, the store rolls back and appends the
/// batch again row by row (`optimistic` false), where `ON CONFLICT DO NOTHING` skips each
/// duplicate and any other constraint failure is an error (the record is refused).
final class SQLiteAppendTransaction: AppendTransaction {
    let statements: SQLiteStatements
    let optimistic: Bool
    private var pending: [AuditRecord] = []
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

    /// The first copy stored under envelope id ?1. `envelope_id <> ''` repeats the partial
    /// index's condition: without it SQLite cannot prove a bound parameter is non-empty and
    /// scans the whole table for every id (--record-later-copies fell to ~200 records/s).
    static let storedCopySQL = """
        SELECT sequence, raw_sha256, signer_principal, type, causation_id, kafka_topic, kafka_partition, kafka_offset
        FROM audit_records WHERE envelope_id <> '' AND envelope_id = ?1
        """

    func storedCopies(of envelopeIDs: Set<String>) throws -> [String: StoredCopy] {
        guard !envelopeIDs.isEmpty else { return [:] }
        let s = try connection.prepare(Self.storedCopySQL)
        var copies: [String: StoredCopy] = [:]
        for id in envelopeIDs {
            defer { s.reset() }
            try s.bind(1, id)
            guard try s.step() else { continue }
            copies[id] = StoredCopy(
                sequence: s.int64(0), rawSHA256: s.blob(1), signerPrincipal: s.optionalText(2), type: s.text(3),
                causationID: s.text(4),
                kafka: CoordinateKey(KafkaCoordinates(topic: s.text(5), partition: Int32(truncatingIfNeeded: s.int64(6)),
                                                      offset: s.int64(7), timestampMillis: 0)))
        }
        return copies
    }

    func insert(_ record: consuming AuditRecord) throws -> Bool {
        guard optimistic else {
            let s = try statements.prepared(statements.insertRecord, "record insert")
            defer { s.reset() }
            try withUnsafePointer(to: record) { try Self.insert(UnsafeBufferPointer(start: $0, count: 1), with: s) }
            return connection.changes == 1
        }
        pending.append(record)
        if pending.count == SQLiteStatements.rowsPerInsert { try insertPending() }
        return true
    }

    /// Writes the buffered rows: full groups with the multi-row INSERT, the rest one by one.
    private func insertPending() throws {
        defer { pending.removeAll(keepingCapacity: true) }
        if pending.count == SQLiteStatements.rowsPerInsert {
            let s = try statements.prepared(statements.insertRecords, "multi-row record insert")
            defer { s.reset() }
            try pending.withUnsafeBufferPointer { try Self.insert($0, with: s) }
            guard connection.changes == SQLiteStatements.rowsPerInsert else { throw SQLiteDuplicateFound() }
            return
        }
        let s = try statements.prepared(statements.insertRecord, "record insert")
        for record in pending {
            defer { s.reset() }
            try withUnsafePointer(to: record) { try Self.insert(UnsafeBufferPointer(start: $0, count: 1), with: s) }
            guard connection.changes == 1 else { throw SQLiteDuplicateFound() }
        }
    }

    /// Binds `rows` (as many as `s` has rows) and steps `s` once. No value is copied: text
    /// and hashes are gathered into one buffer bound in place, and each raw envelope (about
    /// 1 KiB) is lent as it is; the step runs while all of them are lent.
    private static func insert(_ rows: UnsafeBufferPointer<AuditRecord>, with s: SQLiteStatement) throws {
        var stager = SQLiteRowStager(statement: s, rows: rows.count)
        for row in rows.indices {
            stager.parameter = Int32(row * RecordColumns.count)
            try RecordColumns.write(rows[row], to: &stager)
        }
        try stager.withStagedValuesBound { try bindRawsInPlaceAndStep(s, rows, from: 0) }
    }

    /// Lends every row's raw bytes to the statement without copying (each pointer is
    /// valid inside its closure, so the closures nest and the step runs in the innermost).
    private static func bindRawsInPlaceAndStep(_ s: SQLiteStatement, _ rows: UnsafeBufferPointer<AuditRecord>, from row: Int) throws {
        guard row < rows.count else {
            _ = try s.step()
            return
        }
        try rows[row].input.raw.withUnsafeBytes { raw in
            try s.bindNoCopy(rawParameter(row: row), raw)
            try bindRawsInPlaceAndStep(s, rows, from: row + 1)
        }
    }

    /// The parameter of row `row`'s `raw` column (the last of the row).
    private static func rawParameter(row: Int) -> Int32 {
        Int32((row + 1) * RecordColumns.count)
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

/// Binds the columns of an INSERT's rows to consecutive parameters without copying values:
/// integers and NULLs are bound at once; text and blob bytes are gathered into one buffer
/// and bound in place by `withStagedValuesBound`; `raw` is skipped (the caller lends it).
private struct SQLiteRowStager: RecordColumnWriter {
    private struct Span {
        var parameter: Int32
        var isText: Bool
        var range: Range<Int>
    }

    let statement: SQLiteStatement
    /// The parameter bound last.
    var parameter: Int32 = 0
    private var staged: [UInt8] = []
    private var spans: [Span] = []

    init(statement: SQLiteStatement, rows: Int) {
        self.statement = statement
        staged.reserveCapacity(rows * 512)
        spans.reserveCapacity(rows * RecordColumns.count)
    }

    private mutating func next() -> Int32 {
        parameter += 1
        return parameter
    }

    private mutating func stage(_ bytes: UnsafeRawBufferPointer, isText: Bool) {
        let start = staged.count
        staged.append(contentsOf: bytes)
        spans.append(Span(parameter: next(), isText: isText, range: start..<staged.count))
    }

    mutating func int64(_ value: Int64) throws { try statement.bind(next(), value) }
    mutating func int32(_ value: Int32) throws { try statement.bind(next(), Int64(value)) }
    mutating func bytes(_ value: [UInt8]) { value.withUnsafeBytes { stage($0, isText: false) } }

    mutating func text(_ value: String) {
        // Native strings (every decoded field) lend their UTF-8 in place.
        if value.utf8.withContiguousStorageIfAvailable({ stage(UnsafeRawBufferPointer($0), isText: true) }) != nil { return }
        var value = value
        value.withUTF8 { stage(UnsafeRawBufferPointer($0), isText: true) }
    }

    mutating func optionalText(_ value: String?) throws {
        if let value { text(value) } else { try statement.bindNull(next()) }
    }

    mutating func raw(_ value: [UInt8]) { _ = next() }

    /// Binds the gathered text and blobs in place and runs `body` (the step) while they are valid.
    func withStagedValuesBound<T>(_ body: () throws -> T) throws -> T {
        try staged.withUnsafeBytes { buffer in
            for span in spans {
                let bytes = UnsafeRawBufferPointer(rebasing: buffer[span.range])
                if span.isText {
                    try statement.bindTextNoCopy(span.parameter, bytes)
                } else {
                    try statement.bindNoCopy(span.parameter, bytes)
                }
            }
            return try body()
        }
    }
}
