/// What one `AuditStore.append` call did.
public struct AppendOutcome: Sendable, Hashable {
    /// Records newly stored by this call.
    public var stored: Int
    /// Inputs ignored because the same envelope id or the same Kafka coordinates were already
    /// stored (earlier, or earlier in the same batch).
    public var duplicates: Int
    /// For each input, in order: the sequence it was stored under, or nil for a duplicate.
    public var sequences: [Int64?]
    /// The head after the call (nil only if the log is still empty).
    public var head: AuditHead?
    /// Checkpoints written by this call.
    public var checkpoints: [AuditCheckpoint]

    /// An outcome summary.
    public init(stored: Int, duplicates: Int, sequences: [Int64?], head: AuditHead?, checkpoints: [AuditCheckpoint]) {
        self.stored = stored
        self.duplicates = duplicates
        self.sequences = sequences
        self.head = head
        self.checkpoints = checkpoints
    }
}
