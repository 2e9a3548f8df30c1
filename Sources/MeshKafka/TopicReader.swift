import Logging

/// Reads every record a topic holds right now: the high watermark of each partition is taken
/// first, and reading stops exactly there. For tools (dead letters, status) that need "what
/// is there now" without guessing from a quiet period.
public enum TopicReader {
    public static func readToEnd(
        _ topic: String, configuration: KafkaConfiguration, logger: Logger, timeout: Duration = .seconds(60)
    ) async throws -> [ConsumedMessage] {
        let admin = try KafkaAdmin(configuration: configuration, logger: logger)
        guard let described = try admin.describeTopics().first(where: { $0.name == topic }) else {
            throw KafkaError(code: -1, name: "UNKNOWN_TOPIC", message: "topic \(topic) does not exist")
        }
        var remaining: [TopicPartition: Int64] = [:]
        for partition in 0..<Int32(described.partitions) {
            let (low, high) = try admin.watermarks(topic: topic, partition: partition)
            if high > low { remaining[TopicPartition(topic: topic, partition: partition)] = high }
        }
        guard !remaining.isEmpty else { return [] }
        let consumer = try KafkaConsumer(
            configuration: configuration, subscription: .partitions(Array(remaining.keys).sorted()), logger: logger)
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            consumer.close()
        }
        defer {
            watchdog.cancel()
            consumer.close()
        }
        var records: [ConsumedMessage] = []
        for await message in consumer.messages {
            guard let end = remaining[message.topicPartition], message.offset < end else { continue }
            records.append(message)
            if message.offset >= end - 1 { remaining[message.topicPartition] = nil }
            if remaining.isEmpty { return records }
        }
        throw KafkaError(code: -1, name: "_TIMED_OUT", message: "read \(records.count) records of \(topic) before \(timeout) passed")
    }
}
