import Foundation
import MeshSigning

/// The audit log in one SQLite file.
///
/// - WAL journal, so readers (auditors, exports) never block the sink's writes.
/// - `synchronous=FULL` by default: every committed batch is fsynced before `append` returns.
///   The sink commits its Kafka offsets after `append` returns, so a batch lost to a power cut
///   after that point would be gone for good (Kafka will not redeliver it). With batches of
///   hundreds of records the one fsync per batch costs little. `.normal` is offered for
///   throwaway or replicated setups: in WAL mode it survives process crashes but may lose the
///   last commits on power loss (never corrupting the file).
/// - One `BEGIN IMMEDIATE` transaction per batch: all or nothing, also when the process is
///   killed mid-batch; the write lock also serializes two processes appending to one file.
/// - The WAL is copied into the database file by a background thread
///   (`SQLiteWALCheckpointer`), not by the committing one.
///
/// Thread-safe: calls are serialized on an internal lock.
public final class SQLiteAuditStore: AuditStore, @unchecked Sendable {
    /// How hard SQLite syncs commits to disk.
    public enum Durability: String, Sendable {
        /// `synchronous=FULL`: a returned `append` survives power loss.
        case full = "FULL"
        /// `synchronous=NORMAL`: survives process crashes; may lose the newest commits on power loss.
        case normal = "NORMAL"
    }

    public let logID: String
    /// The database file.
    public let path: String
    private let configuration: AuditStoreConfiguration
    private let connection: SQLiteConnection
    private let lock = NSLock()
    private var state: ChainState?
    private lazy var statements = SQLiteStatements(connection)
    /// Nil for a read-only store.
    private let walCheckpointer: SQLiteWALCheckpointer?

    /// WAL pages (16 KiB each) after which the background checkpointer copies the WAL into
    /// the database file, unless configured otherwise.
    public static let defaultCheckpointPages = 1_000

    /// Opens (creating if needed) the audit log at `path`. `checkpointPages` is the WAL size
    /// in pages past which a background thread checkpoints it (see `SQLiteWALCheckpointer`).
    public init(
        path: String, configuration: AuditStoreConfiguration, durability: Durability = .full,
        checkpointPages: Int = SQLiteAuditStore.defaultCheckpointPages
    ) throws {
        self.path = path
        self.configuration = configuration
        connection = try SQLiteConnection(path: path)
        // 16 KiB pages for a new file (an existing file keeps its page size): with ~1.3 KiB
        // rows, bigger pages mean fewer B-tree pages to balance, write to the WAL and track
        // per batch (less SQLite CPU per appended record than 4 KiB pages in our runs).
        // 64 MiB page cache keeps the five index B-trees hot during bulk appends (default: 2 MiB).
        // temp_store stays at its default: the append path needs no temporary storage (its
        // multi-row INSERTs cannot abort halfway, so SQLite keeps no statement journal; see
        // `SQLiteStatements.insertRecords`).
        // The appending connection never checkpoints: `walCheckpointer` does, on its own
        // thread. When the WAL is started over, a file grown past twice the checkpoint size is
        // trimmed back to it.
        try connection.execute(
            "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=\(durability.rawValue); PRAGMA cache_size=-65536; "
                + "PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=\(2 * checkpointPages * 16_384);")
        try connection.execute("BEGIN IMMEDIATE; \(SQLiteSchema.statements) COMMIT;")
        logID = try Self.loadOrCreateLogID(connection)
        let walCheckpointer = try SQLiteWALCheckpointer(path: path, writerLock: lock, thresholdPages: checkpointPages)
        walCheckpointer.attach(to: connection)
        self.walCheckpointer = walCheckpointer
    }

    /// Opens the existing audit log at `path` to read it: the file is opened read-only and
    /// queries are refused writes (`query_only`), so no schema, trigger or table is created or
    /// altered, whatever the file holds. `append` and the checkpoint calls fail.
    /// - Throws: `AuditStoreError.invalidConfiguration` when the file is not an audit store.
    public init(readingPath path: String) throws {
        self.path = path
        configuration = try .reader()
        connection = try SQLiteConnection(path: path, readOnly: true)
        try connection.execute("PRAGMA query_only=1")
        let tables = try connection.prepare(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('audit_meta', 'audit_records', 'audit_checkpoints')")
        _ = try tables.step()
        guard tables.int64(0) == 3 else {
            throw AuditStoreError.invalidConfiguration("\(path) is not an audit store (audit_meta, audit_records or audit_checkpoints is missing)")
        }
        let select = try connection.prepare("SELECT value FROM audit_meta WHERE key = 'log_id'")
        guard try select.step() else {
            throw AuditStoreError.invalidConfiguration("\(path) is not an audit store: audit_meta holds no log_id")
        }
        logID = select.text(0)
        walCheckpointer = nil
    }

    deinit {
        walCheckpointer?.detach(from: connection)
    }

    /// What the background checkpointer has done (tests).
    var walCheckpoints: SQLiteWALCheckpointer.Statistics { walCheckpointer!.done }

    /// Waits until the background checkpointer has nothing due (tests).
    func waitForWALCheckpointer() { walCheckpointer?.waitUntilIdle() }

    private static func loadOrCreateLogID(_ connection: SQLiteConnection) throws -> String {
        try connection.execute("BEGIN IMMEDIATE")
        do {
            let select = try connection.prepare("SELECT value FROM audit_meta WHERE key = 'log_id'")
            let id: String
            if try select.step() {
                id = select.text(0)
            } else {
                id = UUID().uuidString.lowercased()
                let insert = try connection.prepare("INSERT INTO audit_meta (key, value) VALUES ('log_id', ?1), ('schema_version', '1')")
                try insert.bind(1, id)
                _ = try insert.step()
            }
            try connection.execute("COMMIT")
            return id
        } catch {
            try? connection.execute("ROLLBACK")
            throw error
        }
    }

    private func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Runs `body` in a write transaction with an up-to-date chain state; the state is kept
    /// only if the transaction commits.
    private func writeTransaction<T>(optimistic: Bool = false, _ body: (inout ChainState, AppendTransaction) throws -> T) throws -> T {
        try withLock {
            try connection.execute("BEGIN IMMEDIATE")
            do {
                let tx = SQLiteAppendTransaction(statements: statements, optimistic: optimistic)
                let appender = ChainAppender(logID: logID, configuration: configuration)
                var working = try appender.synchronize(&state, in: tx)
                let result = try body(&working, tx)
                try connection.execute("COMMIT")
                state = working
                WrittenHeads.record(working.head, logID: logID)
                return result
            } catch {
                try? connection.execute("ROLLBACK")
                throw error
            }
        }
    }

    /// Appends with multi-row INSERTs; when the batch holds a record already stored, appends
    /// it again row by row, which skips the duplicates (see `SQLiteAppendTransaction`).
    public func append(_ batch: [AuditRecordInput]) throws -> AppendOutcome {
        let appender = ChainAppender(logID: logID, configuration: configuration)
        do {
            return try writeTransaction(optimistic: true) { state, tx in try appender.append(batch, state: &state, tx: tx) }
        } catch is SQLiteDuplicateFound {
            return try writeTransaction(optimistic: false) { state, tx in try appender.append(batch, state: &state, tx: tx) }
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
        try withLock { try SQLiteAppendTransaction(statements: statements).storedHead() }
    }

    public func record(sequence: Int64) throws -> AuditRecord? {
        try withLock {
            try query("SELECT \(RecordColumns.selectList) FROM audit_records WHERE sequence = ?1", [.int(sequence)]).first
        }
    }

    public func records(correlationID: String) throws -> [AuditRecord] {
        try search(AuditSearchFilter(correlationID: correlationID))
    }

    public func search(_ filter: AuditSearchFilter) throws -> [AuditRecord] {
        let clause = FilterClause(filter) { "?\($0)" }
        return try withLock {
            try query("SELECT \(RecordColumns.selectList) FROM audit_records" + clause.sql, clause.values)
        }
    }

    public func checkpoints() throws -> [AuditCheckpoint] {
        try withLock {
            let statement = try connection.prepare("SELECT \(SQLiteSchema.checkpointColumns) FROM audit_checkpoints ORDER BY sequence")
            var result: [AuditCheckpoint] = []
            while try statement.step() { result.append(Self.checkpoint(statement)) }
            return result
        }
    }

    public var count: Int {
        get throws {
            try withLock {
                let statement = try connection.prepare("SELECT count(*) FROM audit_records")
                _ = try statement.step()
                return Int(statement.int64(0))
            }
        }
    }

    public func scan(afterSequence: Int64, pageSize: Int, _ body: ([AuditRecord]) throws -> Bool) throws {
        var after = afterSequence
        while true {
            let page = try withLock {
                try query("SELECT \(RecordColumns.selectList) FROM audit_records WHERE sequence > ?1 ORDER BY sequence LIMIT ?2",
                          [.int(after), .int(Int64(pageSize))])
            }
            guard let last = page.last, try body(page) else { return }
            after = last.sequence
        }
    }

    /// `PRAGMA integrity_check` (every index entry against its table row, page structure),
    /// then each secondary index read in full against the same columns read from the table.
    public func storageProblems() throws -> [StorageProblem] {
        try withLock {
            var problems: [StorageProblem] = []
            let check = try connection.prepare("PRAGMA integrity_check(50)")
            while try check.step() {
                let line = check.text(0)
                if line != "ok" { problems.append(StorageProblem(sequence: StorageProblem.rowID(in: line), detail: "SQLite integrity_check: \(line)")) }
            }
            for index in StorageIndex.all {
                let columns = index.columns.joined(separator: ", ")
                let filter = index.condition.map { " WHERE \($0)" } ?? ""
                // The INTEGER PRIMARY KEY `sequence` is the rowid: every index holds it.
                let viaIndex = try connection.prepare(
                    "SELECT \(columns), sequence FROM audit_records INDEXED BY \(index.name)\(filter) ORDER BY \(columns), sequence")
                let viaTable = try connection.prepare(
                    "SELECT \(columns), sequence FROM audit_records NOT INDEXED\(filter) ORDER BY \(columns), sequence")
                let width = Int32(index.columns.count + 1)
                if let problem = try StorageIndex.firstDifference(index, width: Int(width),
                                                                  next: { try viaIndex.step() ? (0..<width).map { viaIndex.optionalText($0) } : nil },
                                                                  reference: { try viaTable.step() ? (0..<width).map { viaTable.optionalText($0) } : nil }) {
                    problems.append(problem)
                }
            }
            return problems
        }
    }

    private func query(_ sql: String, _ values: [FilterClause.Value]) throws -> [AuditRecord] {
        let statement = try connection.prepare(sql)
        for (index, value) in values.enumerated() {
            switch value {
            case .text(let text): try statement.bind(Int32(index + 1), text)
            case .int(let int): try statement.bind(Int32(index + 1), int)
            }
        }
        var result: [AuditRecord] = []
        while try statement.step() { result.append(Self.record(statement)) }
        return result
    }

    static func record(_ s: SQLiteStatement) -> AuditRecord {
        RecordRow.record(
            sequence: s.int64(0), recordedAt: s.int64(1), previousHash: s.blob(2), recordHash: s.blob(3),
            envelopeID: s.text(4), type: s.text(5), source: s.text(6), subject: s.text(7),
            correlationID: s.text(8), causationID: s.text(9), eventTime: s.int64(10),
            signerKeyID: s.optionalText(11), signerPrincipal: s.optionalText(12),
            status: s.text(13), reason: s.optionalText(14), topic: s.text(15), partition: s.int64(16),
            offset: s.int64(17), kafkaTimestamp: s.int64(18), rawSHA256: s.blob(19), raw: s.blob(20),
            nullColumn: RecordColumns.required.first { s.isNull(Int32($0)) }.map { RecordColumns.names[$0] })
    }

    static func checkpoint(_ s: SQLiteStatement) -> AuditCheckpoint {
        // An unknown algorithm name (only after tampering) yields a signature that cannot verify.
        let algorithm = SigningAlgorithm(rawValue: s.text(6))
        return AuditCheckpoint(logID: s.text(1), sequence: s.int64(0), headHash: s.blob(2), merkleRoot: s.blob(3),
                               createdAtMicros: s.int64(4),
                               signature: SignatureValue(keyId: s.text(5), algorithm: algorithm ?? .ed25519,
                                                           bytes: algorithm == nil ? [] : s.blob(7)))
    }
}
