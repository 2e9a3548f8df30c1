import Foundation
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
