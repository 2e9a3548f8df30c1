import CRdKafka

/// Exactly-once support: a transactional producer commits the offsets of what is done,
/// with the outputs (`OffsetCommits.inTransactions`), and an aborted transaction rewinds the
/// partitions to their committed offsets.
extension KafkaConsumer {
    /// The group metadata to send with a transaction's offsets (taken fresh each time).
    public func groupMetadata() -> ConsumerGroupMetadata? {
        rd_kafka_consumer_group_metadata(client.handle).map(ConsumerGroupMetadata.init)
    }

    /// `.inTransactions`: the next offset to read per partition for everything marked done
    /// since the last call, to send with the transaction about to commit.
    public func takeTransactionOffsets() -> [TopicPartition: Int64] {
        stateLock.withLock { state.takeTransactionOffsets() }
    }

    /// Called on the polling thread when partitions are revoked (`lost`: taken away without
    /// a clean hand-over), before they go: the place to commit or abort the open transaction.
    /// Records of the partitions read before are no longer current afterwards.
    public func setRevokeHandler(_ handler: @escaping @Sendable (_ partitions: [TopicPartition], _ lost: Bool) -> Void) {
        stateLock.withLock { revokeHandler = handler }
    }

    /// Makes every record of `partitions` read so far not current: buffered ones are dropped,
    /// handed-out ones are no longer tracked and their offsets no longer collected.
    public func invalidateReads(_ partitions: [TopicPartition]) {
        stateLock.withLock { state.invalidate(partitions) }
    }

    /// The group's committed offsets of `partitions` (the next offset to read; absent where
    /// nothing is committed). Blocks for a broker round trip.
    public func committedOffsets(_ partitions: [TopicPartition], timeout: Duration = .seconds(30)) throws
        -> [TopicPartition: Int64]
    {
        guard !partitions.isEmpty else { return [:] }
        let list = makePartitionList(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_committed(client.handle, list, Int32(timeout.milliseconds))
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err, context: "committed offsets of \(partitions)") }
        var offsets: [TopicPartition: Int64] = [:]
        for index in 0..<Int(list.pointee.cnt) where list.pointee.elems[index].offset >= 0 {
            let element = list.pointee.elems[index]
            offsets[TopicPartition(topic: String(cString: element.topic), partition: element.partition)] = element.offset
        }
        return offsets
    }

    /// Commits exactly these offsets (the next offset to read per partition) and waits for
    /// the broker's answer.
    public func commit(_ offsets: [TopicPartition: Int64]) throws {
        guard !offsets.isEmpty else { return }
        let sorted = offsets.sorted { $0.key < $1.key }
        let list = makePartitionList(sorted.map(\.key), offsets: sorted.map(\.value))
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_commit(client.handle, list, 0)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err, context: "commit \(offsets)") }
    }

    /// Moves `partitions` (default: all assigned) back to their committed offsets (where the
    /// group's reset policy applies if none) after an aborted transaction, so their records
    /// are read and handled again; everything read before is no longer current at once.
    /// Returns the positions it rewinds to.
    ///
    /// The seek itself happens on the polling thread before its next poll: a poll running
    /// meanwhile returns records from before the rewind, which are dropped, and nothing
    /// fetched after the seek can be mistaken for them.
    @discardableResult
    public func rewindToCommitted(_ partitions: [TopicPartition]? = nil, timeout: Duration = .seconds(30)) throws
        -> [TopicPartition: Int64]
    {
        let targets = partitions ?? assignment()
        guard !targets.isEmpty else { return [:] }
        let committed = try committedOffsets(targets, timeout: timeout)
        let positions = Dictionary(uniqueKeysWithValues: targets.map { ($0, committed[$0] ?? resetOffset) })
        stateLock.withLock { state.rewind(to: positions) }
        return positions
    }
}
