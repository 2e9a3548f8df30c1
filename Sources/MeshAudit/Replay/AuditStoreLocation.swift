import Foundation
import MeshSigning

/// Where an audit store lives, as operators write it: `sqlite:<path>` or a PostgreSQL URL
/// (`postgresql://…` or `postgres://…`).
public enum AuditStoreLocation: Sendable, Hashable, CustomStringConvertible {
    /// An SQLite file.
    case sqlite(path: String)
    /// A PostgreSQL database; `schema` holds the audit tables.
    case postgres(url: String, schema: String)

    /// Environment variable naming the store when no flag does.
    public static let environmentVariable = "AGENTMESH_AUDIT_STORE"

    /// Parses `text`; `schema` applies to PostgreSQL URLs.
    /// - Throws: `AuditStoreError.invalidConfiguration` for anything else.
    public static func parse(_ text: String, postgresSchema schema: String = "agentmesh_audit") throws -> AuditStoreLocation {
        if text.hasPrefix("sqlite:") {
            let path = String(text.dropFirst("sqlite:".count))
            guard !path.isEmpty else {
                throw AuditStoreError.invalidConfiguration("sqlite: needs a file path, e.g. sqlite:.agentmesh/audit.sqlite")
            }
            return .sqlite(path: path)
        }
        if text.hasPrefix("postgresql://") || text.hasPrefix("postgres://") {
            return .postgres(url: text, schema: schema)
        }
        throw AuditStoreError.invalidConfiguration(
            "audit store \"\(text)\" must be sqlite:<path> or postgresql://user@host:port/db")
    }

    /// The store named by `flag`, else by `$AGENTMESH_AUDIT_STORE`, else `sqlite:<home>/audit.sqlite`.
    public static func resolve(
        flag: String?, home: URL, postgresSchema schema: String = "agentmesh_audit",
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> AuditStoreLocation {
        if let text = flag ?? environment[environmentVariable], !text.isEmpty {
            return try parse(text, postgresSchema: schema)
        }
        return .sqlite(path: home.appendingPathComponent("audit.sqlite").path)
    }

    /// For messages; a PostgreSQL password is never printed.
    public var description: String {
        switch self {
        case .sqlite(let path): return "sqlite:\(path)"
        case .postgres(let url, let schema): return "\(Self.redacted(url)) (schema \(schema))"
        }
    }

    /// Opens the store for reading.
    ///
    /// A reader never creates a log: a missing SQLite file is an error rather than a new empty
    /// store. The store API wants a checkpoint signer; a reader never appends, so it gets a
    /// throwaway key that signs nothing.
    /// - Throws: `ReplayError.storeUnreachable` with the cause.
    public func openForReading() throws -> AuditStore {
        let configuration: AuditStoreConfiguration
        do {
            let metadata = KeyMetadata(keyId: "reader-unused", algorithm: .hmacSHA256, principal: "meshctl", principalKind: .role)
            configuration = AuditStoreConfiguration(
                signer: try MessageSigner(metadata: metadata, hmacSecret: try HMACSecret.generate()),
                checkpoints: CheckpointPolicy(everyRecords: nil, everySeconds: nil))
        } catch {
            throw ReplayError.storeUnreachable(store: description, reason: "\(error)")
        }
        switch self {
        case .sqlite(let path):
            guard FileManager.default.fileExists(atPath: path) else {
                throw ReplayError.storeUnreachable(store: description, reason: "no such file")
            }
            do { return try SQLiteAuditStore(path: path, configuration: configuration) } catch {
                throw ReplayError.storeUnreachable(store: description, reason: "\(error)")
            }
        case .postgres(let url, let schema):
            do { return try PostgresAuditStore(url: url, schema: schema, configuration: configuration) } catch {
                throw ReplayError.storeUnreachable(store: description, reason: "\(error)")
            }
        }
    }

    /// `url` with the password part of the user info replaced by `***`.
    static func redacted(_ url: String) -> String {
        guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].firstIndex(of: "@") else { return url }
        let userInfo = url[scheme.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }
}
