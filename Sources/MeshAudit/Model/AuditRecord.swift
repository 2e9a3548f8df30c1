import MeshSigning

/// A stored audit record: the sink's input plus what the store assigned when appending it.
public struct AuditRecord: Sendable, Hashable {
    /// Position in the log: 1, 2, 3, ... with no gaps.
    public var sequence: Int64
    /// Sink time when the record was appended, unix microseconds.
    public var recordedAtMicros: Int64
    /// `recordHash` of the record before this one (32 zero bytes for sequence 1).
    public var previousHash: [UInt8]
    /// SHA-256 over the canonical encoding of this record (see `AuditRecordHasher`).
    public var recordHash: [UInt8]
    /// The envelope and its Kafka coordinates as handed over by the sink.
    public var input: AuditRecordInput
    /// Set when the stored columns hold something the append path cannot have written (a
    /// NULL where a value belongs, a reason on a verified record, a `raw_sha256` that is not
    /// the digest of `raw`, …): what was read is not exactly what was hashed. Nil for records
    /// built in memory.
    public internal(set) var storageProblem: String?

    /// A record as read back from a store (or built by the append path).
    public init(sequence: Int64, recordedAtMicros: Int64, previousHash: [UInt8], recordHash: [UInt8], input: AuditRecordInput) {
        self.sequence = sequence
        self.recordedAtMicros = recordedAtMicros
        self.previousHash = previousHash
        self.recordHash = recordHash
        self.input = input
    }

    /// SHA-256 of `input.raw`.
    public var rawSHA256: [UInt8] { input.rawSHA256 }
}

/// The newest record of a log: what the next record chains to.
public struct AuditHead: Sendable, Hashable {
    /// Sequence of the newest record.
    public var sequence: Int64
    /// Its record hash.
    public var recordHash: [UInt8]

    /// A head position.
    public init(sequence: Int64, recordHash: [UInt8]) {
        self.sequence = sequence
        self.recordHash = recordHash
    }
}
