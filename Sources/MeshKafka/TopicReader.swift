import Logging

/// Reads every record a topic holds right now: the high watermark of each partition is taken
/// first, and reading stops exactly there. For tools (dead letters, status, approvals) that
/// need "what is there now" without guessing from a quiet period.
public enum TopicReader {
    /// Every record `topic` holds now, over all its partitions.
    public static func readToEnd(
        _ topic: String, configuration: KafkaConfiguration, logger: Logger, timeout: Duration = .seconds(60)
    ) async throws -> [ConsumedMessage] {
        let admin = try KafkaAdmin(configuration: configuration, logger: logger)
        guard let described = try admin.describeTopics().first(where: { $0.name == topic }) else {
            throw KafkaError(code: -1, name: "UNKNOWN_TOPIC", message: "topic \(topic) does not exist")
        }
        let partitions = (0..<Int32(described.partitions)).map { TopicPartition(topic: topic, partition: $0) }
        return try await readToEnd(partitions, admin: admin, configuration: configuration, logger: logger, timeout: timeout)
    }

    /// Every record `partitions` hold now, in each partition's order. Throws when `timeout`
    /// passes first (a broker that stopped answering).
    public static func readToEnd(
        _ partitions: [TopicPartition], configuration: KafkaConfiguration, logger: Logger, timeout: Duration = .seconds(60)
    ) async throws -> [ConsumedMessage] {
        let admin = try KafkaAdmin(configuration: configuration, logger: logger)
        return try await readToEnd(partitions, admin: admin, configuration: configuration, logger: logger, timeout: timeout)
    }

    private static func readToEnd(
        _ partitions: [TopicPartition], admin: KafkaAdmin, configuration: KafkaConfiguration, logger: Logger,
        timeout: Duration
    ) async throws -> [ConsumedMessage] {
        var progress = try EndOfLog(partitions, admin: admin)
        guard !progress.isFinished else { return [] }
        let consumer = try KafkaConsumer(
            configuration: configuration, subscription: .partitionsToEnd(progress.pending), logger: logger)
        let started = ContinuousClock.now
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            consumer.close()
        }
        defer {
            watchdog.cancel()
            consumer.close()
        }
        var records: [ConsumedMessage] = []
        for await message in consumer.messages where progress.isBeforeEnd(message) {
            records.append(message)
            progress.passed(message)
            if progress.isFinished { return records }
        }
        // The partitions' ends were reached without a record at high watermark - 1: the last
        // offsets held transaction markers, which readers are never handed.
        guard ContinuousClock.now - started >= timeout else { return records }
        let topics = Set(partitions.map(\.topic)).sorted().joined(separator: ", ")
        throw KafkaError(
            code: -1, name: "_TIMED_OUT",
            message: "read \(records.count) records of \(topics) before \(timeout) passed; is the broker reachable?")
    }
}

/// The end of the log as it was when reading began: the high watermark of each partition,
/// and which partitions a reader has not yet read up to it.
public struct EndOfLog: Sendable {
    private var remaining: [TopicPartition: Int64]

    /// Takes the high watermarks of `partitions` now; empty partitions are already finished.
    public init(_ partitions: [TopicPartition], admin: KafkaAdmin) throws {
        remaining = [:]
        for partition in partitions {
            let (low, high) = try admin.watermarks(topic: partition.topic, partition: partition.partition)
            if high > low { remaining[partition] = high }
        }
    }

    /// Partitions with records still to read, sorted.
    public var pending: [TopicPartition] { remaining.keys.sorted() }

    /// True once every partition was read up to its end.
    public var isFinished: Bool { remaining.isEmpty }

    /// True for a record written before reading began (later ones are not part of "now").
    public func isBeforeEnd(_ message: ConsumedMessage) -> Bool {
        guard let end = remaining[message.topicPartition] else { return false }
        return message.offset < end
    }

    /// Records that `message` was read (whether it was kept or skipped).
    public mutating func passed(_ message: ConsumedMessage) {
        if let end = remaining[message.topicPartition], message.offset >= end - 1 {
            remaining[message.topicPartition] = nil
        }
    }
}
