import Foundation
import MeshSigning

/// Where an audit store lives, as given on a command line or in `AGENTMESH_AUDIT_STORE`:
///
/// - `sqlite:PATH` — one SQLite file (relative paths are relative to the working directory;
///   `sqlite:///abs/path` is accepted too).
/// - `postgresql://user:password@host:port/database[?schema=NAME&…]` (or `postgres://`) — a
///   PostgreSQL schema, `agentmesh_audit` unless `schema=` says otherwise. Every other query
///   parameter (`sslmode`, `connect_timeout`, …) is passed to libpq unchanged.
public enum AuditStoreLocation: Sendable, Hashable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(url: String, schema: String)

    /// The store every command uses when none is given: `sqlite:<home>/audit.sqlite`.
    public static func defaultLocation(home: URL) -> AuditStoreLocation {
        .sqlite(path: home.appendingPathComponent("audit.sqlite").path)
    }

    /// Parses a store URL.
    /// - Throws: `AuditStoreLocationError` saying which forms are accepted.
    public init(parsing text: String) throws {
        let value = text.trimmingCharacters(in: .whitespaces)
        if value.hasPrefix("sqlite:") {
            var path = String(value.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }  // sqlite:///abs → /abs
            guard !path.isEmpty else { throw AuditStoreLocationError(value, "the SQLite file path is empty") }
            self = .sqlite(path: path)
            return
        }
        if value.hasPrefix("postgresql://") || value.hasPrefix("postgres://") {
            guard var components = URLComponents(string: value) else {
                throw AuditStoreLocationError(value, "not a valid URL")
            }
            guard let host = components.host, !host.isEmpty else {
                throw AuditStoreLocationError(value, "the PostgreSQL URL names no host")
            }
            let database = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
            guard !database.isEmpty else {
                throw AuditStoreLocationError(value, "the PostgreSQL URL names no database (…/<database>)")
            }
            var schema = "agentmesh_audit"
            var passed: [URLQueryItem] = []
            for item in components.queryItems ?? [] {
                if item.name == "schema" {
                    schema = item.value ?? ""
                } else {
                    passed.append(item)
                }
            }
            guard Self.isValidSchemaName(schema) else {
                throw AuditStoreLocationError(value, "schema \"\(schema)\" must match [a-z_][a-z0-9_]*")
            }
            components.queryItems = passed.isEmpty ? nil : passed
            guard let url = components.string else { throw AuditStoreLocationError(value, "not a valid URL") }
            self = .postgres(url: url, schema: schema)
            return
        }
        throw AuditStoreLocationError(value, "unknown store kind")
    }

    /// The location from `explicit` (a `--store` value), else `AGENTMESH_AUDIT_STORE`, else
    /// the default under `home`.
    public static func resolve(
        _ explicit: String?, home: URL, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> AuditStoreLocation {
        if let explicit { return try AuditStoreLocation(parsing: explicit) }
        if let fromEnvironment = environment["AGENTMESH_AUDIT_STORE"], !fromEnvironment.isEmpty {
            return try AuditStoreLocation(parsing: fromEnvironment)
        }
        return defaultLocation(home: home)
    }

    /// Opens (creating if needed) the store.
    /// - Parameter mustExist: for readers (verify, trace, …): refuse to create an empty
    ///   SQLite file where none exists, since that almost always means a wrong path.
    public func open(configuration: AuditStoreConfiguration, mustExist: Bool = false) throws -> AuditStore {
        switch self {
        case .sqlite(let path):
            let exists = FileManager.default.fileExists(atPath: path)
            if mustExist && !exists {
                throw AuditStoreLocationError(description, "no audit store at \(path) (run mesh-audit-sink, or pass --store)")
            }
            if !exists {
                let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            }
            return try SQLiteAuditStore(path: path, configuration: configuration)
        case .postgres(let url, let schema):
            return try PostgresAuditStore(url: url, schema: schema, configuration: configuration)
        }
    }

    /// Opens an existing store to read it (verify, trace, search, export, replay). A reader
    /// never creates or alters anything: a missing SQLite file is an error, not a new empty
    /// store, and the store is opened read-only (no schema set-up, no triggers re-created), so
    /// what is read is what the database holds.
    public func openForReading() throws -> AuditStore {
        switch self {
        case .sqlite(let path):
            guard FileManager.default.fileExists(atPath: path) else {
                throw AuditStoreLocationError(description, "no audit store at \(path) (run mesh-audit-sink, or pass --store)")
            }
            return try SQLiteAuditStore(readingPath: path)
        case .postgres(let url, let schema):
            return try PostgresAuditStore(readingURL: url, schema: schema)
        }
    }

    /// The location with any password replaced by `***`, for logs and messages.
    public var description: String {
        switch self {
        case .sqlite(let path):
            return "sqlite:\(path)"
        case .postgres(let url, let schema):
            var components = URLComponents(string: url)
            if components?.password != nil { components?.password = "***" }
            return "\(components?.string ?? "postgresql://…") (schema \(schema))"
        }
    }

    static func isValidSchemaName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 63 else { return false }
        let lower = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyz_")
        let rest = lower.union(CharacterSet(charactersIn: "0123456789"))
        return lower.contains(first) && name.unicodeScalars.allSatisfy { rest.contains($0) }
    }
}

/// A `--store` value that cannot be used, with the accepted forms.
public struct AuditStoreLocationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var value: String
    public var problem: String

    public init(_ value: String, _ problem: String) {
        self.value = value
        self.problem = problem
    }

    public var description: String {
        "audit store \"\(value)\": \(problem). Use sqlite:PATH (e.g. sqlite:.agentmesh/audit.sqlite) or "
            + "postgresql://user:password@host:5432/database[?schema=agentmesh_audit]"
    }
}

/// Maintenance for throwaway PostgreSQL schemas (benchmarks, tests).
public enum PostgresAuditAdmin {
    /// Drops `schema` and everything in it. Refuses names that are not plain identifiers.
    public static func dropSchema(url: String, schema: String) throws {
        guard AuditStoreLocation.isValidSchemaName(schema) else {
            throw AuditStoreError.invalidConfiguration("schema name \"\(schema)\" must match [a-z_][a-z0-9_]*")
        }
        let connection = try PGConnection(url: url)
        _ = try connection.execute("DROP SCHEMA IF EXISTS \(schema) CASCADE")
    }
}
