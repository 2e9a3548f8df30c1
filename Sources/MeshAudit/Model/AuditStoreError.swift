/// Failures of the storage layer. Every case names the operation and the database message.
public enum AuditStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// SQLite returned an error.
    case sqlite(code: Int32, message: String, context: String)
    /// PostgreSQL (libpq) returned an error; `sqlState` is the server's SQLSTATE code when
    /// the server answered (nil when the connection itself failed).
    case postgres(message: String, context: String, sqlState: String? = nil)
    /// A stored row has a value this version cannot read (e.g. tampered with).
    case malformedRow(table: String, sequence: Int64?, detail: String)
    /// The store was opened with settings it cannot use.
    case invalidConfiguration(String)
    /// Writing an export failed.
    case exportFailed(String)
    /// The stored log is no longer the one this process appended to: its head is behind what
    /// this process wrote, or another record sits where this process wrote one. Appending on
    /// top would have the sink sign checkpoints over the rewritten history, so it refuses.
    case historyRewritten(logID: String, detail: String)

    public var description: String {
        switch self {
        case .sqlite(let code, let message, let context):
            return "SQLite error \(code) during \(context): \(message)"
        case .postgres(let message, let context, let sqlState):
            return "PostgreSQL error\(sqlState.map { " \($0)" } ?? "") during \(context): \(message)"
        case .malformedRow(let table, let sequence, let detail):
            return "malformed row in \(table)\(sequence.map { " at sequence \($0)" } ?? ""): \(detail)"
        case .invalidConfiguration(let detail):
            return "invalid audit store configuration: \(detail)"
        case .exportFailed(let detail):
            return "audit export failed: \(detail)"
        case .historyRewritten(let logID, let detail):
            return "audit log \(logID) was rewritten underneath its writer: \(detail); nothing more is appended or signed. "
                + "Run `meshctl audit verify --anchor …` to see what changed, restore the database, then restart the sink"
        }
    }
}
