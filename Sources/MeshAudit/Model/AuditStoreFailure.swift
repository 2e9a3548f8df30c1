/// Whether appending the same records again can succeed.
public enum AuditStoreFailureKind: String, Sendable {
    /// The database is unavailable, busy, out of space or shutting down: retry the same
    /// batch later (with backoff); nothing is wrong with the records.
    case transient
    /// The database refused the content (a constraint, a data or size limit, a trigger):
    /// the same records will be refused again, so the caller must find the record at fault.
    case refused
}

extension AuditStoreError {
    /// How a writer should react to this error.
    public var failureKind: AuditStoreFailureKind {
        switch self {
        case .sqlite(let code, _, _):
            // Primary result codes: TOOBIG 18, CONSTRAINT 19 (also trigger RAISE(ABORT)), MISMATCH 20.
            return [18, 19, 20].contains(code & 0xFF) ? .refused : .transient
        case .postgres(_, _, let sqlState):
            // Classes 22 data exception, 23 integrity constraint, 54 program limit exceeded,
            // P0 PL/pgSQL raise (a trigger refusing the row). No SQLSTATE: the connection failed.
            guard let sqlState else { return .transient }
            return ["22", "23", "54", "P0"].contains(String(sqlState.prefix(2))) ? .refused : .transient
        case .malformedRow, .exportFailed:
            return .refused
        case .invalidConfiguration:
            return .transient
        case .historyRewritten:
            // Nothing is wrong with the records: the sink keeps them uncommitted, retries and
            // stays unready until someone restores the database.
            return .transient
        }
    }

    /// True for a PostgreSQL unique violation (SQLSTATE 23505).
    var isUniqueViolation: Bool {
        if case .postgres(_, _, let sqlState) = self { return sqlState == "23505" }
        return false
    }
}
