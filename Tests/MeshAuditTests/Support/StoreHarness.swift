import Foundation
import MeshTestSupport
import XCTest
@testable import MeshAudit
import MeshSigning

/// One kind of store under test: opens (and reopens) the same database and gives the tests
/// raw SQL access that bypasses the store API, as an attacker with database access would have.
protocol StoreHarness: AnyObject {
    var name: String { get }
    /// Opens the store over the harness's database (the same one every time).
    func open(_ configuration: AuditStoreConfiguration) throws -> AuditStore
    /// Runs SQL directly against the database (several statements separated by `;`).
    func raw(_ sql: String) throws
    /// A blob literal in this database's SQL dialect.
    func blob(_ bytes: [UInt8]) -> String
    /// Drops the append-only triggers on records and checkpoints (step one of any tampering).
    func dropTriggers() throws
    /// Removes the database.
    func destroy()
    /// Points the harness at a fresh, empty database (the old one is removed by `destroy`).
    func reset()
    /// Opens the current database the way `meshctl audit` readers do (read-only).
    func openForReading() throws -> AuditStore
    /// Append-only triggers present on the record and checkpoint tables.
    func triggerCount() throws -> Int
    /// An environment value telling a child test process how to open the same database.
    var childDescriptor: String { get }
    /// Plays an attacker with full control of the database server: leaves the table exactly as
    /// it was but makes the correlation index (what `trace` reads through) skip `sequence`.
    func hideFromCorrelationIndex(sequence: Int64, correlationID: String) throws
    /// The sequences an index-driven read of `correlationID` returns (the attack's effect).
    func sequencesThroughCorrelationIndex(_ correlationID: String) throws -> [Int64]
}

extension StoreHarness {
    func text(_ value: String?) -> String {
        guard let value else { return "NULL" }
        return "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
    }
}

final class SQLiteHarness: StoreHarness {
    let name = "SQLite"
    private(set) var path: String
    /// WAL pages past which the store's background thread checkpoints.
    let checkpointPages: Int
    private var directories: [URL] = []

    init(checkpointPages: Int = SQLiteAuditStore.defaultCheckpointPages) {
        let directory = Fixtures.temporaryDirectory()
        directories = [directory]
        path = directory.appendingPathComponent("audit.sqlite").path
        self.checkpointPages = checkpointPages
    }

    init(path: String, checkpointPages: Int = SQLiteAuditStore.defaultCheckpointPages) {
        self.path = path
        self.checkpointPages = checkpointPages
    }

    func reset() {
        let directory = Fixtures.temporaryDirectory()
        directories.append(directory)
        path = directory.appendingPathComponent("audit.sqlite").path
    }

    func openForReading() throws -> AuditStore { try SQLiteAuditStore(readingPath: path) }

    func triggerCount() throws -> Int {
        let statement = try SQLiteConnection(path: path).prepare(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ('audit_records', 'audit_checkpoints')")
        _ = try statement.step()
        return Int(statement.int64(0))
    }

    func open(_ configuration: AuditStoreConfiguration) throws -> AuditStore {
        try SQLiteAuditStore(path: path, configuration: configuration, checkpointPages: checkpointPages)
    }

    func raw(_ sql: String) throws {
        try SQLiteConnection(path: path).execute(sql)
    }

    func blob(_ bytes: [UInt8]) -> String { "X'\(Hex.encode(bytes))'" }

    /// A partial index without the record is renamed into the real one's place in the schema
    /// table (`writable_schema`), so SQLite trusts it as `audit_records_correlation`.
    func hideFromCorrelationIndex(sequence: Int64, correlationID: String) throws {
        try raw("""
            CREATE INDEX doctored ON audit_records (correlation_id, sequence) WHERE sequence <> \(sequence);
            PRAGMA writable_schema = ON;
            DELETE FROM sqlite_master WHERE name = 'audit_records_correlation';
            UPDATE sqlite_master SET name = 'audit_records_correlation',
                sql = 'CREATE INDEX audit_records_correlation ON audit_records (correlation_id, sequence)' WHERE name = 'doctored';
            PRAGMA writable_schema = OFF;
            """)
    }

    func sequencesThroughCorrelationIndex(_ correlationID: String) throws -> [Int64] {
        try openForReading().trace(correlationID: correlationID).records.map(\.sequence)
    }

    func dropTriggers() throws {
        try raw("""
            DROP TRIGGER audit_records_no_update; DROP TRIGGER audit_records_no_delete;
            DROP TRIGGER audit_checkpoints_no_update; DROP TRIGGER audit_checkpoints_no_delete;
            """)
    }

    func destroy() {
        for directory in directories { try? FileManager.default.removeItem(at: directory) }
    }

    var childDescriptor: String { "sqlite:\(checkpointPages):" + path }
}


final class PostgresHarness: StoreHarness {
    let name = "PostgreSQL"
    let url: String
    private(set) var schema: String
    private var schemas: [String]

    init(url: String, schema: String? = nil) {
        self.url = url
        let schema = schema ?? Self.freshSchema()
        self.schema = schema
        schemas = [schema]
    }

    private static func freshSchema() -> String {
        "t_" + String(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(20))
    }

    func reset() {
        schema = Self.freshSchema()
        schemas.append(schema)
    }

    func openForReading() throws -> AuditStore { try PostgresAuditStore(readingURL: url, schema: schema) }

    func triggerCount() throws -> Int {
        let connection = try PGConnection(url: url)
        let result = try connection.execute(
            "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
                + "WHERE n.nspname = $1 AND c.relname IN ('audit_records', 'audit_checkpoints') AND NOT t.tgisinternal",
            [.text(schema)])
        return Int(result.integer(0, 0))
    }

    func open(_ configuration: AuditStoreConfiguration) throws -> AuditStore {
        try PostgresAuditStore(url: url, schema: schema, configuration: configuration)
    }

    func raw(_ sql: String) throws {
        let connection = try PGConnection(url: url)
        try connection.execute("SET search_path TO \(schema)")
        // PQexecParams runs one statement at a time.
        for statement in sql.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        where !statement.isEmpty {
            try connection.execute(statement)
        }
    }

    func blob(_ bytes: [UInt8]) -> String { "'\\x\(Hex.encode(bytes))'::bytea" }

    /// As the cluster superuser: marks the correlation index not ready (inserts and updates
    /// skip it, as during CREATE INDEX CONCURRENTLY), moves the row to a new tuple version and
    /// back, then marks the index ready again. The table holds exactly what it held, the chain
    /// is intact, but the row's live version has no entry in the index.
    func hideFromCorrelationIndex(sequence: Int64, correlationID: String) throws {
        let superuser = try PGConnection(url: try PostgresTestEnvironment.superuserURL())
        try superuser.execute("SET search_path TO \(schema)")
        // A superuser's session can skip every trigger, the append-only ones included.
        try superuser.execute("SET session_replication_role = replica")
        try superuser.execute("UPDATE pg_index SET indisready = false WHERE indexrelid = 'audit_records_correlation'::regclass")
        try superuser.execute("UPDATE audit_records SET correlation_id = 'moved' WHERE sequence = $1", [.int8(sequence)])
        try superuser.execute("UPDATE audit_records SET correlation_id = $2 WHERE sequence = $1", [.int8(sequence), .text(correlationID)])
        try superuser.execute("UPDATE pg_index SET indisready = true WHERE indexrelid = 'audit_records_correlation'::regclass")
    }

    /// Read with sequential and bitmap scans off, as the planner reads a large log.
    func sequencesThroughCorrelationIndex(_ correlationID: String) throws -> [Int64] {
        let connection = try PGConnection(url: url)
        _ = try connection.executeScript("SET search_path TO \(schema); SET enable_seqscan = off; SET enable_bitmapscan = off")
        let result = try connection.execute(
            "SELECT sequence FROM audit_records WHERE correlation_id = $1 ORDER BY correlation_id, sequence", [.text(correlationID)])
        return (0..<result.rowCount).map { result.integer($0, 0) }
    }

    func dropTriggers() throws {
        try raw("""
            DROP TRIGGER audit_records_append_only ON audit_records; DROP TRIGGER audit_records_no_truncate ON audit_records;
            DROP TRIGGER audit_checkpoints_append_only ON audit_checkpoints;
            DROP TRIGGER audit_checkpoints_no_truncate ON audit_checkpoints
            """)
    }

    func destroy() {
        if let connection = try? PGConnection(url: url) {
            for schema in schemas { _ = try? connection.execute("DROP SCHEMA IF EXISTS \(schema) CASCADE") }
        }
    }

    var childDescriptor: String { "postgres:\(schema):\(url)" }
}

/// The harness a child test process was pointed at.
func harness(fromDescriptor descriptor: String) -> StoreHarness? {
    if descriptor.hasPrefix("sqlite:") {
        let rest = descriptor.dropFirst("sqlite:".count)
        guard let colon = rest.firstIndex(of: ":"), let pages = Int(rest[..<colon]) else { return nil }
        return SQLiteHarness(path: String(rest[rest.index(after: colon)...]), checkpointPages: pages)
    }
    if descriptor.hasPrefix("postgres:") {
        let rest = descriptor.dropFirst("postgres:".count)
        guard let colon = rest.firstIndex(of: ":") else { return nil }
        return PostgresHarness(url: String(rest[rest.index(after: colon)...]), schema: String(rest[..<colon]))
    }
    return nil
}

/// An INSERT for a complete record row, written with literals (used to forge rows).
func insertSQL(_ record: AuditRecord, harness: StoreHarness) -> String {
    var literals = LiteralRow(harness: harness)
    try? RecordColumns.write(record, to: &literals)
    return "INSERT INTO audit_records (\(RecordColumns.insertList)) VALUES (\(literals.values.joined(separator: ", ")))"
}

/// Renders the columns of a record as SQL literals, in `RecordColumns` order.
private struct LiteralRow: RecordColumnWriter {
    let harness: StoreHarness
    var values: [String] = []

    mutating func int64(_ value: Int64) { values.append(String(value)) }
    mutating func int32(_ value: Int32) { values.append(String(value)) }
    mutating func bytes(_ value: [UInt8]) { values.append(harness.blob(value)) }
    mutating func text(_ value: String) { values.append(harness.text(value)) }
    mutating func optionalText(_ value: String?) { values.append(harness.text(value)) }
    mutating func raw(_ value: [UInt8]) { bytes(value) }
}
