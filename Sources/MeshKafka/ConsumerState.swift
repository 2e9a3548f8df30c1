/// What a ``KafkaConsumer`` knows between librdkafka calls, as a value: which records are
/// buffered and handed out, which offsets may be stored, the read epoch of every partition,
/// the rewinds to perform and the offsets a transaction is to commit. Every change is a
/// method returning what librdkafka must be told (an ``Action``); the consumer holds it
/// under its lock and performs the actions outside it. No librdkafka call in here.
struct ConsumerState: Sendable {
    /// What the consumer must do with librdkafka after a change.
    enum Action: Sendable, Equatable {
        /// Store this offset (the next to read) for the background committer.
        case storeOffset(TopicPartition, Int64)
        /// Commit the stored offsets now, before the partitions move (`.byConsumer`).
        case commitStored
        /// Let the transaction owner finish the open transaction first (`.inTransactions`).
        case finishTransaction([TopicPartition], lost: Bool)
    }

    let offsetCommits: KafkaConsumer.OffsetCommits
    /// Group consumers track and store offsets; partition readers (tools) do not.
    let tracksOffsets: Bool
    private(set) var buffer: [ConsumedMessage] = []
    private var bufferIndex = 0
    private var tracker = OffsetTracker()
    private(set) var isClosed = false
    private(set) var rebalances = 0
    private(set) var lag: [TopicPartition: Int64] = [:]
    /// Current read epoch per partition (see ``ConsumedMessage/readEpoch``).
    private(set) var readEpochs: [TopicPartition: UInt32] = [:]
    /// `.inTransactions`: offsets done and not yet taken by the transaction committer.
    private var transactionOffsets: [TopicPartition: Int64] = [:]
    /// Rewinds requested and not yet performed; the polling thread seeks before its next poll.
    private var pendingSeeks: [TopicPartition: Int64] = [:]
    /// `.partitionsToEnd`: partitions whose end was not reached yet.
    private(set) var partitionsBeforeEnd: Set<TopicPartition>

    init(offsetCommits: KafkaConsumer.OffsetCommits, tracksOffsets: Bool, readingToEnd: [TopicPartition] = []) {
        self.offsetCommits = offsetCommits
        self.tracksOffsets = tracksOffsets
        partitionsBeforeEnd = Set(readingToEnd)
    }

    var inFlightCount: Int { tracker.totalInFlight }

    /// Marks `message` done; the action stores the partition's new watermark, if it moved.
    mutating func markDone(_ message: ConsumedMessage) -> Action? {
        guard tracksOffsets, isCurrent(message) else { return nil }
        guard let storable = tracker.done(message.topicPartition, offset: message.offset) else { return nil }
        if offsetCommits == .inTransactions {
            transactionOffsets[message.topicPartition] = storable
            return nil
        }
        return .storeOffset(message.topicPartition, storable)
    }

    func isCurrent(_ message: ConsumedMessage) -> Bool {
        message.readEpoch == readEpochs[message.topicPartition, default: 0]
    }

    /// The next buffered record, now handed out.
    mutating func takeBuffered() -> ConsumedMessage? {
        guard bufferIndex < buffer.count else { return nil }
        let message = buffer[bufferIndex]
        bufferIndex += 1
        if tracksOffsets { tracker.handedOut(message.topicPartition, offset: message.offset) }
        return message
    }

    /// Adds the records of a poll that started when the epochs were `epochsAtStart`; those of
    /// a partition rewound or revoked while the poll ran predate that and are dropped.
    mutating func received(_ records: [ConsumedMessage], epochsAtStart: [TopicPartition: UInt32]) {
        var current: [ConsumedMessage] = []
        current.reserveCapacity(records.count)
        for var message in records {
            let epoch = readEpochs[message.topicPartition, default: 0]
            guard epoch == epochsAtStart[message.topicPartition, default: 0] else { continue }
            message.readEpoch = epoch
            current.append(message)
        }
        if bufferIndex == buffer.count {
            buffer = current  // the usual case: everything buffered was handed out
        } else {
            buffer.removeFirst(bufferIndex)
            buffer.append(contentsOf: current)
        }
        bufferIndex = 0
    }

    mutating func reachedEnd(of partition: TopicPartition) {
        partitionsBeforeEnd.remove(partition)
    }

    mutating func close() -> Bool {
        defer { isClosed = true }
        return !isClosed
    }

    mutating func statistics(lag: [TopicPartition: Int64]) {
        self.lag = lag
    }

    mutating func assigned(_ partitions: [TopicPartition]) {
        rebalances += 1
        tracker.forget(partitions)
    }

    /// `partitions` are being revoked (`lost`: without a clean hand-over). The first action
    /// happens before the records read so far stop being current (commit what is done, or
    /// finish the transaction); call ``invalidateRevoked(_:)`` after it.
    mutating func revoking(_ partitions: [TopicPartition], lost: Bool) -> Action? {
        rebalances += 1
        if offsetCommits == .inTransactions { return .finishTransaction(partitions, lost: lost) }
        // A lost assignment (session expired) may no longer commit.
        return lost ? nil : .commitStored
    }

    /// Records of `partitions` read before their revoke are no longer current: a record still
    /// queued for a handler must be dropped, since the new owner reads it again.
    mutating func invalidateRevoked(_ partitions: [TopicPartition]) {
        invalidate(partitions)
        for partition in partitions { pendingSeeks[partition] = nil }
    }

    /// Makes every record of `partitions` read so far not current: buffered ones are dropped,
    /// handed-out ones are no longer tracked and their offsets no longer collected.
    mutating func invalidate(_ partitions: [TopicPartition]) {
        for partition in partitions {
            readEpochs[partition, default: 0] &+= 1
            transactionOffsets[partition] = nil
        }
        let dropped = Set(partitions)
        buffer = buffer[bufferIndex...].filter { !dropped.contains($0.topicPartition) }
        bufferIndex = 0
        tracker.forget(partitions)
    }

    /// Requests that `positions` be read from again; what was read of them is not current.
    mutating func rewind(to positions: [TopicPartition: Int64]) {
        pendingSeeks.merge(positions) { _, new in new }
        invalidate(Array(positions.keys))
    }

    /// The rewinds to perform before the next poll.
    mutating func takeSeeks() -> [TopicPartition: Int64] {
        defer { pendingSeeks = [:] }
        return pendingSeeks
    }

    /// `.inTransactions`: the offsets to send with the transaction about to commit.
    mutating func takeTransactionOffsets() -> [TopicPartition: Int64] {
        defer { transactionOffsets = [:] }
        return transactionOffsets
    }
}
