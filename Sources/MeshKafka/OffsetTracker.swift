/// Decides which offset may be stored for commit, per partition, when messages finish out
/// of order.
///
/// Kafka commits one offset per partition meaning "everything before this is done". When a
/// worker finishes offset 7 before offset 5, committing 8 would lose 5 on a crash. The
/// tracker keeps the offsets handed out but not yet done, and only ever releases the
/// contiguous watermark: the lowest offset still in flight, or one past the highest handed
/// out when nothing is in flight. Pure value type: the consumer performs the store.
public struct OffsetTracker: Sendable {
    private struct PartitionState: Sendable {
        /// Offsets handed out and not yet done, ascending (Kafka delivers in order).
        var inFlight: [Int64] = []
        var highestHandedOut: Int64 = -1
        var lastReleased: Int64 = -1
    }

    private var partitions: [TopicPartition: PartitionState] = [:]

    public init() {}

    /// Records that `offset` was handed to the application.
    public mutating func handedOut(_ partition: TopicPartition, offset: Int64) {
        // The first offset seen is where a restart would resume anyway: storing it again
        // would be no progress.
        var state = partitions[partition, default: PartitionState(lastReleased: offset)]
        if offset > state.highestHandedOut {
            state.inFlight.append(offset)
            state.highestHandedOut = offset
        }
        partitions[partition] = state
    }

    /// Records that `offset` is done. Returns the offset to store (the next offset to read
    /// after a restart) when the watermark advanced, else `nil`.
    public mutating func done(_ partition: TopicPartition, offset: Int64) -> Int64? {
        guard var state = partitions[partition] else { return nil }
        if let index = Self.index(of: offset, in: state.inFlight) {
            state.inFlight.remove(at: index)
        }
        let watermark = state.inFlight.first ?? (state.highestHandedOut + 1)
        defer { partitions[partition] = state }
        guard watermark > state.lastReleased else { return nil }
        state.lastReleased = watermark
        return watermark
    }

    /// Number of messages handed out and not yet done on `partition`.
    public func inFlightCount(_ partition: TopicPartition) -> Int {
        partitions[partition]?.inFlight.count ?? 0
    }

    /// Total messages in flight over every partition.
    public var totalInFlight: Int { partitions.values.reduce(0) { $0 + $1.inFlight.count } }

    /// Forgets partitions that were revoked or reassigned: their offsets belong to the new
    /// owner now, and late `done` calls for them must not store anything.
    public mutating func forget(_ revoked: [TopicPartition]) {
        for partition in revoked { partitions[partition] = nil }
    }

    private static func index(of offset: Int64, in sorted: [Int64]) -> Int? {
        var low = 0
        var high = sorted.count - 1
        while low <= high {
            let mid = (low + high) / 2
            if sorted[mid] == offset { return mid }
            if sorted[mid] < offset { low = mid + 1 } else { high = mid - 1 }
        }
        return nil
    }
}
