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
                kafkaTimestamp: r.integer(row, 18), raw: r.bytes(row, 19))
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
