import MeshAudit
import MeshKafka
import MeshTransport

/// One batch of consumed records into the audit store, exactly as mesh-audit-sink does it:
/// decode and verify each record (`AuditInputBuilder`), then append them in one transaction
/// (`AuditBatchWriter`). `meshctl bench audit` measures this same path.
public struct AuditIngestor: Sendable {
    /// Records per transaction unless configured otherwise (the sink's `--batch-size`).
    ///
    /// Every transaction ends in one fsync (SQLite, synchronous=FULL) or one durable commit
    /// (PostgreSQL), whose fixed cost on the disks we measured (~3 ms) was about a third of the
    /// sink's time per 500-record batch; 1,000 records per transaction halve it. The bound
    /// only bites under load: below ~20,000 records/s the sink's batch wait (50 ms by default)
    /// closes a batch first, so latency at ordinary rates is unchanged.
    public static let defaultBatchSize = 1_000

    public let builder: AuditInputBuilder
    public let writer: AuditBatchWriter

    public init(builder: AuditInputBuilder, writer: AuditBatchWriter = AuditBatchWriter()) {
        self.builder = builder
        self.writer = writer
    }

    /// A batch turned into store inputs, with the records that failed verification.
    public struct Prepared: Sendable {
        public var inputs: [AuditRecordInput]
        /// Index into the batch and why the record failed verification (it is stored flagged).
        public var rejections: [(index: Int, rejection: EnvelopeRejection)]
    }

    /// Decodes and verifies `messages`.
    public func prepare(_ messages: [ConsumedMessage]) -> Prepared {
        var prepared = Prepared(inputs: [], rejections: [])
        prepared.inputs.reserveCapacity(messages.count)
        for (index, message) in messages.enumerated() {
            let (input, rejection) = builder.build(message)
            prepared.inputs.append(input)
            if let rejection { prepared.rejections.append((index, rejection)) }
        }
        return prepared
    }

    /// Appends prepared inputs (throws only errors worth retrying later).
    public func write(_ prepared: Prepared, to store: AuditStore) throws -> AuditBatchWriter.Result {
        try writer.write(prepared.inputs, to: store)
    }
}
