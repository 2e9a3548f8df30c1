import MeshTransport

/// Processes one partition number's envelopes strictly one after another, after preparing
/// the partition once. A lane that replaces a retired one (partition revoked, then assigned
/// again) starts only when the retired one has finished, so a partition is never processed
/// by two lanes at once.
final class PartitionLane: Sendable {
    let partition: Int32
    private let continuation: AsyncStream<InboundEnvelope>.Continuation
    private let task: Task<Void, Never>

    init(
        partition: Int32, after previous: PartitionLane?, prepare: @escaping @Sendable (Int32) async -> Void,
        process: @escaping @Sendable (InboundEnvelope) async -> Void
    ) {
        self.partition = partition
        let (stream, continuation) = AsyncStream.makeStream(of: InboundEnvelope.self)
        self.continuation = continuation
        task = Task {
            await previous?.finished()
            await prepare(partition)
            for await inbound in stream { await process(inbound) }
        }
    }

    func submit(_ inbound: InboundEnvelope) {
        continuation.yield(inbound)
    }

    /// No more envelopes: the lane finishes what it has and ends.
    func finish() {
        continuation.finish()
    }

    func finished() async {
        await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            task.cancel()
        }
    }
}
