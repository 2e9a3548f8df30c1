import Foundation
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

    /// Records per slice when a batch is verified on several cores.
    static let sliceSize = 128

    /// Decodes and verifies `messages`. A large batch is split into slices verified on all
    /// cores at once: an Ed25519 verification costs ~130 µs, so one core alone would hold the
    /// sink to ~7,500 records/s.
    public func prepare(_ messages: [ConsumedMessage]) -> Prepared {
        let slices = (messages.count + Self.sliceSize - 1) / Self.sliceSize
        guard slices > 1 else { return prepare(messages[...]) }
        let results = SliceResults(count: slices)
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            let start = slice * Self.sliceSize
            results.store(prepare(messages[start..<min(messages.count, start + Self.sliceSize)]), at: slice)
        }
        var prepared = Prepared(inputs: [], rejections: [])
        prepared.inputs.reserveCapacity(messages.count)
        for part in results.parts {
            prepared.inputs += part.inputs
            prepared.rejections += part.rejections
        }
        return prepared
    }

    /// `messages` in order; rejection indices are the slice's own (those of the whole batch).
    private func prepare(_ messages: ArraySlice<ConsumedMessage>) -> Prepared {
        var prepared = Prepared(inputs: [], rejections: [])
        prepared.inputs.reserveCapacity(messages.count)
        for index in messages.indices {
            let (input, rejection) = builder.build(messages[index])
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

/// One slot per slice, each written by exactly one `concurrentPerform` iteration.
private final class SliceResults: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [AuditIngestor.Prepared?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func store(_ prepared: AuditIngestor.Prepared, at slice: Int) { lock.withLock { slots[slice] = prepared } }

    var parts: [AuditIngestor.Prepared] { lock.withLock { slots.map { $0! } } }
}
