import Foundation
import MeshSigning

/// The audit log in a PostgreSQL schema, through libpq.
///
/// - One transaction per batch, serialized across processes by a transaction-scoped advisory
///   lock, so two sinks can never fork the chain.
/// - Duplicates are found for the whole batch in one query; new rows are loaded with one
///   binary `COPY`; checkpoints are plain INSERTs in the same transaction.
/// - Commits are durable under the server's `synchronous_commit` (on by default).
///
/// Thread-safe: calls are serialized on an internal lock (one libpq connection per store).
public final class PostgresAuditStore: AuditStore, @unchecked Sendable {
    public let logID: String
    /// The PostgreSQL schema holding the tables.
    public let schema: String
    private let configuration: AuditStoreConfiguration
    private let connection: PGConnection
    private let lock = NSLock()
    private var state: ChainState?

    /// Connects to `url` (e.g. `postgresql://user:pw@127.0.0.1:5432/db`) and creates the
    /// tables in `schema` if needed.
    /// - Throws: `AuditStoreError.invalidConfiguration` for a schema name that is not
    ///   `[a-z_][a-z0-9_]*`, `.postgres` for connection or DDL failures.
    public init(url: String, schema: String = "agentmesh_audit", configuration: AuditStoreConfiguration) throws {
        guard PostgresSchema.isValidName(schema) else {
            throw AuditStoreError.invalidConfiguration("schema name \"\(schema)\" must match [a-z_][a-z0-9_]*")
        }
        self.schema = schema
        self.configuration = configuration
        connection = try PGConnection(url: url)
        try connection.execute("BEGIN")
        do {
            try connection.execute("SELECT pg_advisory_xact_lock(hashtext('agentmesh-audit-ddl'))")
            for statement in Self.split(PostgresSchema.statements(schema: schema)) { try connection.execute(statement) }
            let existing = try connection.execute("SELECT value FROM audit_meta WHERE key = 'log_id'")
            if existing.rowCount == 1 {
                logID = existing.text(0, 0)
            } else {
                logID = UUID().uuidString.lowercased()
                try connection.execute("INSERT INTO audit_meta (key, value) VALUES ('log_id', $1), ('schema_version', '1')",
                                       [.text(logID)])
            }
            try connection.execute("COMMIT")
        } catch {
            _ = try? connection.execute("ROLLBACK")
            throw error
        }
        try connection.execute("SET search_path TO \(schema)")
    }

    /// Connects to `url` to read the existing log in `schema`: every transaction of the
    /// session is read-only (`default_transaction_read_only`), and no DDL runs, so reading
    /// never creates or alters a schema, table or trigger. `append` and the checkpoint calls
    /// fail.
    /// - Throws: `AuditStoreError.invalidConfiguration` when `schema` holds no audit store.
    public init(readingURL url: String, schema: String = "agentmesh_audit") throws {
        guard PostgresSchema.isValidName(schema) else {
            throw AuditStoreError.invalidConfiguration("schema name \"\(schema)\" must match [a-z_][a-z0-9_]*")
        }
        self.schema = schema
        configuration = try .reader()
        connection = try PGConnection(url: url)
        try connection.execute("SET default_transaction_read_only = on")
        let tables = try connection.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = $1 AND tablename IN ('audit_meta', 'audit_records', 'audit_checkpoints')",
            [.text(schema)])
        guard tables.integer(0, 0) == 3 else {
            throw AuditStoreError.invalidConfiguration("schema \(schema) holds no audit store (run mesh-audit-sink, or pass ?schema=)")
        }
        try connection.execute("SET search_path TO \(schema)")
        let existing = try connection.execute("SELECT value FROM audit_meta WHERE key = 'log_id'")
        guard existing.rowCount == 1 else {
            throw AuditStoreError.invalidConfiguration("schema \(schema) is not an audit store: audit_meta holds no log_id")
        }
        logID = existing.text(0, 0)
    }

    /// Splits the DDL script at statement ends, keeping `$$ … $$` bodies whole.
    private static func split(_ script: String) -> [String] {
        var statements: [String] = []
        var current = ""
        var inDollarQuote = false
        for line in script.split(separator: "\n", omittingEmptySubsequences: false) {
            current += line + "\n"
            if line.components(separatedBy: "$$").count % 2 == 0 { inDollarQuote.toggle() }
            if !inDollarQuote && line.hasSuffix(";") {
                statements.append(current)
                current = ""
            }
        }
        if !current.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { statements.append(current) }
        return statements
    }

    private func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Runs `body` in one transaction with an up-to-date chain state; the state is kept only
    /// if the transaction commits. The first round trip opens the transaction, takes the
    /// append lock and reads the head.
    private func writeTransaction<T>(
        checkDuplicates: Bool = true, _ body: (inout ChainState, AppendTransaction) throws -> T
    ) throws -> T {
        try withLock {
            var open: PostgresAppendTransaction?
            do {
                let head = try PostgresAppendTransaction.head(from: connection.executeScript(
                    "BEGIN; SELECT pg_advisory_xact_lock(hashtext('agentmesh-audit-append:\(schema)')); "
                        + PostgresAppendTransaction.headQuery))
                let tx = PostgresAppendTransaction(connection: connection, checkDuplicates: checkDuplicates, prefetchedHead: .some(head))
                open = tx
                let appender = ChainAppender(logID: logID, configuration: configuration)
                var working = try appender.synchronize(&state, in: tx)
                let result = try body(&working, tx)
                try connection.executeScript("COMMIT")
                state = working
                WrittenHeads.record(working.head, logID: logID)
                return result
            } catch {
                open?.abandon()
                _ = try? connection.executeScript("ROLLBACK")
                throw error
            }
        }
    }

    /// Appends optimistically (no duplicate lookup: the unique indexes check); when the batch
    /// holds a record already stored, appends it again with the lookup, which skips it.
    public func append(_ batch: [AuditRecordInput]) throws -> AppendOutcome {
        let appender = ChainAppender(logID: logID, configuration: configuration)
        do {
            return try writeTransaction(checkDuplicates: false) { state, tx in try appender.append(batch, state: &state, tx: tx) }
        } catch let error as AuditStoreError where error.isUniqueViolation {
            return try writeTransaction(checkDuplicates: true) { state, tx in try appender.append(batch, state: &state, tx: tx) }
        }
    }

    public func checkpointIfDue() throws -> AuditCheckpoint? {
        let appender = ChainAppender(logID: logID, configuration: configuration)
        return try writeTransaction { state, tx in try appender.checkpointIfNeeded(state: &state, force: false, tx: tx) }
    }

    public func checkpointNow() throws -> AuditCheckpoint? {
        let appender = ChainAppender(logID: logID, configuration: configuration)
        return try writeTransaction { state, tx in
            try appender.checkpointIfNeeded(state: &state, force: true, tx: tx) ?? state.lastCheckpoint
        }
    }

    public func head() throws -> AuditHead? {
        try withLock { try PostgresAppendTransaction(connection: connection).storedHead() }
    }

    public func record(sequence: Int64) throws -> AuditRecord? {
        try withLock {
            try query("SELECT \(RecordColumns.selectList) FROM audit_records WHERE sequence = $1", [.int8(sequence)]).first
        }
    }

    public func records(correlationID: String) throws -> [AuditRecord] {
        try search(AuditSearchFilter(correlationID: correlationID))
    }

    public func search(_ filter: AuditSearchFilter) throws -> [AuditRecord] {
        let clause = FilterClause(filter) { "$\($0)" }
        let values: [PGValue] = clause.values.map {
            switch $0 {
            case .text(let text): return .text(text)
            case .int(let int): return .int8(int)
            }
        }
        return try withLock { try query("SELECT \(RecordColumns.selectList) FROM audit_records" + clause.sql, values) }
    }

    public func checkpoints() throws -> [AuditCheckpoint] {
        try withLock {
            let result = try connection.execute("SELECT \(SQLiteSchema.checkpointColumns) FROM audit_checkpoints ORDER BY sequence")
            return (0..<result.rowCount).map { Self.checkpoint(result, row: $0) }
        }
    }

    public var count: Int {
        get throws {
            try withLock { Int(try connection.execute("SELECT count(*) FROM audit_records").integer(0, 0)) }
        }
    }

    public func scan(afterSequence: Int64, pageSize: Int, _ body: ([AuditRecord]) throws -> Bool) throws {
        var after = afterSequence
        while true {
            let page = try withLock {
                try query("SELECT \(RecordColumns.selectList) FROM audit_records WHERE sequence > $1 ORDER BY sequence LIMIT $2",
                          [.int8(after), .int8(Int64(pageSize))])
            }
            guard let last = page.last, try body(page) else { return }
            after = last.sequence
        }
    }

    /// `amcheck`'s B-tree checks with `heapallindexed` when the extension is installed (it is
    /// not created here: reading never changes the database), then every index readers use
    /// (and the primary key the scan goes through) read in full against the same columns read
    /// from the heap with index scans disabled.
    public func storageProblems() throws -> [StorageProblem] {
        try withLock {
            var problems: [StorageProblem] = []
            // amcheck (contrib) reads every index page and, with heapallindexed, looks every
            // live heap tuple up in the index: it finds entries the comparison below cannot see
            // (a duplicate or dangling entry behind a matching one). Called through its own
            // schema, since the search path holds only the audit schema; skipped when the
            // extension is absent or this role may not run it (the comparison still runs).
            let amcheck = try connection.execute(
                "SELECT quote_ident(n.nspname) FROM pg_extension e "
                    + "JOIN pg_namespace n ON n.oid = e.extnamespace JOIN pg_proc p ON p.pronamespace = n.oid "
                    + "AND p.proname = 'bt_index_check' AND p.pronargs = 2 "
                    + "WHERE e.extname = 'amcheck' AND has_function_privilege(p.oid, 'EXECUTE')")
            if amcheck.rowCount == 1 {
                let function = amcheck.text(0, 0) + ".bt_index_check"
                let indexes = try connection.execute(
                    "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = 'audit_records'::regclass ORDER BY 1")
                for row in 0..<indexes.rowCount {
                    let name = indexes.text(row, 0)
                    do {
                        try connection.execute("SELECT \(function)(index => $1::regclass, heapallindexed => true)", [.text(name)])
                    } catch {
                        problems.append(StorageProblem(sequence: nil, detail: "amcheck on \(name): \(error)"))
                    }
                }
            }
            let primaryKey = StorageIndex(name: "audit_records_pkey", columns: ["sequence"], condition: nil)
            for index in [primaryKey] + StorageIndex.all {
                // Ordered by the table's own columns (qualified: the text copies selected would
                // otherwise shadow them and sort as text), so the index scan needs no sort.
                let order = (index.columns + ["sequence"]).map { "audit_records.\($0)" }.joined(separator: ", ")
                let select = (index.columns + ["sequence"]).enumerated().map { "\($1)::text AS c\($0)" }.joined(separator: ", ")
                let filter = index.condition.map { " WHERE \($0)" } ?? ""
                let sql = "SELECT \(select) FROM audit_records\(filter) ORDER BY \(order)"
                // Two cursors in one snapshot, planned under different settings (a cursor's
                // plan is fixed when it is declared), read in lockstep a page at a time.
                try connection.executeScript("BEGIN READ ONLY; SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; "
                    + "DECLARE via_index NO SCROLL CURSOR FOR \(sql); SET LOCAL enable_seqscan = on; SET LOCAL enable_indexscan = off; "
                    + "SET LOCAL enable_indexonlyscan = off; DECLARE via_heap NO SCROLL CURSOR FOR \(sql)")
                do {
                    let viaIndex = PGCursorRows(connection, cursor: "via_index", width: index.columns.count + 1)
                    let viaHeap = PGCursorRows(connection, cursor: "via_heap", width: index.columns.count + 1)
                    if let problem = try StorageIndex.firstDifference(
                        index, width: index.columns.count + 1, next: viaIndex.next, reference: viaHeap.next) {
                        problems.append(problem)
                    }
                    try connection.executeScript("COMMIT")
                } catch {
                    _ = try? connection.executeScript("ROLLBACK")
                    throw error
                }
            }
            return problems
        }
    }

    private func query(_ sql: String, _ parameters: [PGValue]) throws -> [AuditRecord] {
        let r = try connection.execute(sql, parameters)
        return (0..<r.rowCount).map { row in
            RecordRow.record(
                sequence: r.integer(row, 0), recordedAt: r.integer(row, 1), previousHash: r.bytes(row, 2),
                recordHash: r.bytes(row, 3), envelopeID: r.text(row, 4), type: r.text(row, 5), source: r.text(row, 6),
                subject: r.text(row, 7), correlationID: r.text(row, 8), causationID: r.text(row, 9),
                eventTime: r.integer(row, 10), signerKeyID: r.optionalText(row, 11),
                signerPrincipal: r.optionalText(row, 12), status: r.text(row, 13), reason: r.optionalText(row, 14),
                topic: r.text(row, 15), partition: r.integer(row, 16), offset: r.integer(row, 17),
                kafkaTimestamp: r.integer(row, 18), rawSHA256: r.bytes(row, 19), raw: r.bytes(row, 20),
                nullColumn: RecordColumns.required.first { r.isNull(row, $0) }.map { RecordColumns.names[$0] })
        }
    }

    static func checkpoint(_ r: PGResult, row: Int) -> AuditCheckpoint {
        // An unknown algorithm name (only after tampering) yields a signature that cannot verify.
        let algorithm = SigningAlgorithm(rawValue: r.text(row, 6))
        return AuditCheckpoint(logID: r.text(row, 1), sequence: r.integer(row, 0), headHash: r.bytes(row, 2),
                               merkleRoot: r.bytes(row, 3), createdAtMicros: r.integer(row, 4),
                               signature: SignatureValue(keyId: r.text(row, 5), algorithm: algorithm ?? .ed25519,
                                                           bytes: algorithm == nil ? [] : r.bytes(row, 7)))
    }
}

/// The rows of an open cursor, fetched a page at a time (text columns).
private final class PGCursorRows {
    private let connection: PGConnection
    private let cursor: String
    private let width: Int
    private var page: PGResult?
    private var row = 0
    private var finished = false

    init(_ connection: PGConnection, cursor: String, width: Int) {
        self.connection = connection
        self.cursor = cursor
        self.width = width
    }

    func next() throws -> [String?]? {
        if page == nil || row >= page!.rowCount {
            guard !finished else { return nil }
            page = try connection.executeScript("FETCH FORWARD 5000 FROM \(cursor)")
            row = 0
            if page!.rowCount < 5000 { finished = true }
            guard page!.rowCount > 0 else { return nil }
        }
        defer { row += 1 }
        return (0..<width).map { page!.optionalText(row, $0) }
    }
}
