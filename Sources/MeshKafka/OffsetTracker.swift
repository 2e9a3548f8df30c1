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
        /// Offsets handed out and not yet done, ascending (Kafka delivers in order), from
        /// `first` on: finishing the oldest (the usual case) only advances `first`.
        var inFlight: [Int64] = []
        var first = 0
        var highestHandedOut: Int64 = -1
        var lastReleased: Int64 = -1

        var count: Int { inFlight.count - first }

        mutating func handOut(_ offset: Int64) {
            guard offset > highestHandedOut else { return }
            inFlight.append(offset)
            highestHandedOut = offset
        }

        mutating func finish(_ offset: Int64) -> Int64? {
            if let index = index(of: offset) {
                if index == first { first += 1 } else { inFlight.remove(at: index) }
                if first == inFlight.count || first > 4096 {
                    inFlight.removeFirst(first)
                    first = 0
                }
            }
            let watermark = first < inFlight.count ? inFlight[first] : highestHandedOut + 1
            guard watermark > lastReleased else { return nil }
            lastReleased = watermark
            return watermark
        }

        private func index(of offset: Int64) -> Int? {
            var low = first
            var high = inFlight.count - 1
            while low <= high {
                let mid = (low + high) / 2
                if inFlight[mid] == offset { return mid }
                if inFlight[mid] < offset { low = mid + 1 } else { high = mid - 1 }
            }
            return nil
        }
    }

    private var partitions: [TopicPartition: PartitionState] = [:]

    public init() {}

    /// Records that `offset` was handed to the application.
    public mutating func handedOut(_ partition: TopicPartition, offset: Int64) {
        // The first offset seen is where a restart would resume anyway: storing it again
        // would be no progress. (Mutated in place: no copy of the offsets per record.)
        partitions[partition, default: PartitionState(lastReleased: offset)].handOut(offset)
    }

    /// Records that `offset` is done. Returns the offset to store (the next offset to read
    /// after a restart) when the watermark advanced, else `nil`.
    public mutating func done(_ partition: TopicPartition, offset: Int64) -> Int64? {
        partitions[partition]?.finish(offset) ?? nil
    }

    /// Number of messages handed out and not yet done on `partition`.
    public func inFlightCount(_ partition: TopicPartition) -> Int {
        partitions[partition]?.count ?? 0
    }

    /// Total messages in flight over every partition.
    public var totalInFlight: Int { partitions.values.reduce(0) { $0 + $1.count } }

    /// Forgets partitions that were revoked or reassigned: their offsets belong to the new
    /// owner now, and late `done` calls for them must not store anything.
    public mutating func forget(_ revoked: [TopicPartition]) {
        for partition in revoked { partitions[partition] = nil }
    }
}
