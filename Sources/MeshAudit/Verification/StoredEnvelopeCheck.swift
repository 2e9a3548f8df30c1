/// Checks a stored envelope again, as the runtime did when it arrived: its own signatures
/// against the trust store, and the fields and verification status stored beside it against
/// what its bytes say. Implemented where envelopes are understood (`MeshAuditIngest`).
public protocol StoredEnvelopeCheck: Sendable {
    /// Nil when `record` is what the sink would store for its raw bytes today; otherwise a
    /// sentence saying what differs (e.g. "stored as verified but its signature does not
    /// verify: bad signature by key …").
    func problem(with record: AuditRecord) -> String?
}
