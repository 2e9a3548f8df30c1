import CRdKafka
import Logging

/// A topic as the cluster reports it.
public struct TopicDescription: Sendable, Equatable {
    public var name: String
    public var partitions: Int
}

/// What to create.
public struct NewTopic: Sendable, Equatable {
    public var name: String
    public var partitions: Int
    public var replicationFactor: Int
    /// Topic-level configs (`retention.ms`, `cleanup.policy`, …).
    public var configs: [String: String]

    public init(name: String, partitions: Int, replicationFactor: Int, configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}

/// The outcome of creating one topic.
public enum TopicCreationOutcome: Sendable, Equatable {
    case created
    case alreadyExists
    case failed(KafkaError)
}

/// Cluster administration: topic metadata and topic creation on a real cluster.
public final class KafkaAdmin: @unchecked Sendable {
    let client: RDKafkaClient

    public init(configuration: KafkaConfiguration, logger: Logger) throws {
        client = try RDKafkaClient(
            kind: .producer, properties: configuration.properties, callbacks: RDKafkaCallbacks(logger: logger))
    }

    /// How many brokers the cluster reports.
    public func brokerCount(timeout: Duration = .seconds(10)) throws -> Int {
        var metadata: UnsafePointer<rd_kafka_metadata>? = nil
        let err = rd_kafka_metadata(client.handle, 0, nil, &metadata, Int32(timeout.milliseconds))
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else { throw KafkaError(err, context: "read cluster metadata") }
        defer { rd_kafka_metadata_destroy(metadata) }
        return Int(metadata.pointee.broker_cnt)
    }

    /// Every topic in the cluster with its partition count.
    public func describeTopics(timeout: Duration = .seconds(10)) throws -> [TopicDescription] {
        var metadata: UnsafePointer<rd_kafka_metadata>? = nil
        let err = rd_kafka_metadata(client.handle, 1, nil, &metadata, Int32(timeout.milliseconds))
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw KafkaError(err, context: "read cluster metadata")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        return (0..<Int(metadata.pointee.topic_cnt)).compactMap { index in
            let topic = metadata.pointee.topics[index]
            guard topic.err == RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
            return TopicDescription(name: String(cString: topic.topic), partitions: Int(topic.partition_cnt))
        }.sorted { $0.name < $1.name }
    }

    /// Creates topics with the CreateTopics API and reports each outcome. Topics that already
    /// exist are reported as such, not as failures, so applying a catalog is idempotent.
    public func createTopics(_ topics: [NewTopic], timeout: Duration = .seconds(30)) throws -> [String: TopicCreationOutcome] {
        guard !topics.isEmpty else { return [:] }
        var errorBuffer = [CChar](repeating: 0, count: 512)
        var newTopics: [OpaquePointer?] = []
        defer { newTopics.forEach { rd_kafka_NewTopic_destroy($0) } }
        for topic in topics {
            guard let newTopic = rd_kafka_NewTopic_new(
                topic.name, Int32(topic.partitions), Int32(topic.replicationFactor), &errorBuffer, errorBuffer.count)
            else {
                throw KafkaError.configuration("topic \(topic.name): \(String(cString: errorBuffer))")
            }
            newTopics.append(newTopic)
            for (key, value) in topic.configs.sorted(by: { $0.key < $1.key }) {
                let err = rd_kafka_NewTopic_set_config(newTopic, key, value)
                if err != RD_KAFKA_RESP_ERR_NO_ERROR {
                    throw KafkaError(err, context: "topic \(topic.name) config \(key)=\(value)")
                }
            }
        }
        let resultQueue = rd_kafka_queue_new(client.handle)
        defer { rd_kafka_queue_destroy(resultQueue) }
        let options = rd_kafka_AdminOptions_new(client.handle, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        rd_kafka_AdminOptions_set_operation_timeout(options, Int32(timeout.milliseconds), &errorBuffer, errorBuffer.count)
        rd_kafka_AdminOptions_set_request_timeout(options, Int32(timeout.milliseconds), &errorBuffer, errorBuffer.count)
        newTopics.withUnsafeMutableBufferPointer { buffer in
            rd_kafka_CreateTopics(client.handle, buffer.baseAddress, buffer.count, options, resultQueue)
        }
        guard let event = rd_kafka_queue_poll(resultQueue, Int32(timeout.milliseconds) + 5000) else {
            throw KafkaError(RD_KAFKA_RESP_ERR__TIMED_OUT, context: "create topics")
        }
        defer { rd_kafka_event_destroy(event) }
        let eventErr = rd_kafka_event_error(event)
        if eventErr != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(eventErr, context: "create topics: \(String(cString: rd_kafka_event_error_string(event)))")
        }
        var outcomes: [String: TopicCreationOutcome] = [:]
        let result = rd_kafka_event_CreateTopics_result(event)
        var count = 0
        guard let results = rd_kafka_CreateTopics_result_topics(result, &count) else { return outcomes }
        for index in 0..<count {
            let topicResult = results[index]
            let name = String(cString: rd_kafka_topic_result_name(topicResult))
            let err = rd_kafka_topic_result_error(topicResult)
            switch err {
            case RD_KAFKA_RESP_ERR_NO_ERROR: outcomes[name] = .created
            case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS: outcomes[name] = .alreadyExists
            default:
                let detail = rd_kafka_topic_result_error_string(topicResult).map { String(cString: $0) } ?? ""
                outcomes[name] = .failed(KafkaError(err, context: "create \(name): \(detail)"))
            }
        }
        return outcomes
    }
}

extension KafkaAdmin {
    /// The first offset still stored and the offset the next record will get.
    public func watermarks(topic: String, partition: Int32, timeout: Duration = .seconds(10)) throws -> (low: Int64, high: Int64) {
        var low: Int64 = 0
        var high: Int64 = 0
        let err = rd_kafka_query_watermark_offsets(client.handle, topic, partition, &low, &high, Int32(timeout.milliseconds))
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err, context: "watermarks of \(topic)[\(partition)]") }
        return (low, high)
    }
}
