import CRdKafka
import Logging

/// A Kafka-protocol cluster inside this process: librdkafka's mock cluster, listening on
/// loopback TCP so other processes reach it like any broker.
///
/// It serves produce, fetch, consumer groups, offset commits and transactions, and lets
/// tests inject faults. It has no CreateTopics API (``createTopic(_:partitions:replicationFactor:)``
/// creates them directly), keeps data in memory only, and keeps about 5 MB per partition.
public final class EmbeddedKafkaCluster: @unchecked Sendable {
    /// Client settings that suit this broker: an empty fetch is held for the whole
    /// `fetch.wait.max.ms` here even when data arrives, and a member rejoining a group waits
    /// up to the session timeout, so both are kept short for local runs and tests.
    ///
    /// The fetch wait is the trade-off between latency and idle CPU: a record waits up to that
    /// long on each hop, and an idle consumer sends one fetch per wait. 2 ms cut the latency at
    /// light load to a third but tripled idle CPU and made p99 at 1,000 objectives/s worse on a
    /// loaded 2-core machine, so 10 ms stays (README, "Latency and idle CPU").
    public static let recommendedClientProperties: [String: String] = [
        "fetch.wait.max.ms": "10",
        "session.timeout.ms": "6000",
        "heartbeat.interval.ms": "500",
        "topic.metadata.refresh.interval.ms": "5000",
    ]

    private let host: RDKafkaClient
    private let cluster: OpaquePointer
    public let brokerCount: Int
    /// `host:port,host:port,…` of the brokers.
    public let bootstrapServers: String

    public init(brokers: Int = 3, logger: Logger) throws {
        precondition(brokers >= 1, "a cluster needs at least one broker")
        // The mock cluster needs a client handle to live in; it is never used for traffic.
        host = try RDKafkaClient(
            kind: .producer, properties: ["bootstrap.servers": "", "log_level": "3"],
            callbacks: RDKafkaCallbacks(logger: logger))
        guard let cluster = rd_kafka_mock_cluster_new(host.handle, Int32(brokers)) else {
            throw KafkaError.configuration("cannot start the embedded Kafka cluster")
        }
        self.cluster = cluster
        brokerCount = brokers
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster)
    }

    /// Creates a topic (the embedded broker has no CreateTopics API).
    public func createTopic(_ name: String, partitions: Int, replicationFactor: Int = 1) throws {
        let replication = min(replicationFactor, brokerCount)
        let err = rd_kafka_mock_topic_create(cluster, name, Int32(partitions), Int32(replication))
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(err, context: "create topic \(name) on the embedded broker")
        }
    }

    // MARK: - Fault injection

    /// Takes broker `id` (1-based) down: connections drop and new ones are refused.
    public func setBrokerDown(_ id: Int32) throws {
        try check(rd_kafka_mock_broker_set_down(cluster, id), "broker \(id) down")
    }

    public func setBrokerUp(_ id: Int32) throws {
        try check(rd_kafka_mock_broker_set_up(cluster, id), "broker \(id) up")
    }

    /// Adds `milliseconds` of round-trip latency to broker `id`.
    public func setBrokerRTT(_ id: Int32, milliseconds: Int32) throws {
        try check(rd_kafka_mock_broker_set_rtt(cluster, id, milliseconds), "broker \(id) rtt")
    }

    /// Makes broker `id` the leader of one partition (a leader move).
    public func setPartitionLeader(topic: String, partition: Int32, broker id: Int32) throws {
        try check(rd_kafka_mock_partition_set_leader(cluster, topic, partition, id), "leader of \(topic)[\(partition)]")
    }

    /// The next requests of `apiKey` (Kafka protocol API key: 0 Produce, 1 Fetch, 8
    /// OffsetCommit, …) fail with these error codes, one per request, in order.
    public func pushRequestErrors(apiKey: Int16, errorCodes: [Int32]) {
        let errors = errorCodes.map { rd_kafka_resp_err_t(rawValue: $0) }
        errors.withUnsafeBufferPointer { buffer in
            rd_kafka_mock_push_request_errors_array(cluster, apiKey, buffer.count, buffer.baseAddress)
        }
    }

    /// Clears errors pushed for `apiKey`.
    public func clearRequestErrors(apiKey: Int16) {
        rd_kafka_mock_clear_request_errors(cluster, apiKey)
    }

    private func check(_ err: rd_kafka_resp_err_t, _ what: String) throws {
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err, context: what) }
    }
}

// MARK: - What the embedded broker keeps of transactions

extension EmbeddedKafkaCluster {
    /// Whether offsets sent to a committed transaction (KIP-447) end up committed for the
    /// group, found by trying it on a throwaway topic and group. librdkafka's mock cluster
    /// (2.0.x) answers TxnOffsetCommit without storing anything, so an exactly-once consumer
    /// group on it never has committed offsets and re-reads from the start after every restart
    /// or rebalance: exactly-once results can only be checked where this returns true.
    public func storesTransactionalOffsets(logger: Logger) async throws -> Bool {
        let run = String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let topic = "probe.transactional-offsets.\(run)"
        try createTopic(topic, partitions: 1)
        let configuration = KafkaConfiguration(bootstrapServers: bootstrapServers, properties: Self.recommendedClientProperties)
        let plain = try KafkaProducer(configuration: configuration, logger: logger)
        try await plain.send(OutgoingMessage(topic: topic, value: [1], partition: 0))
        plain.close()

        let group = "probe-\(run)"
        let consumer = try KafkaConsumer(
            configuration: configuration, subscription: .group(groupID: group, topics: [topic]), logger: logger,
            offsetCommits: .inTransactions)
        defer { consumer.close() }
        var messages = consumer.messages.makeAsyncIterator()
        guard let input = await messages.next(), let metadata = consumer.groupMetadata() else { return false }
        consumer.markDone(input)

        let producer = try KafkaProducer(
            configuration: configuration.merging(["transactional.id": "probe-\(run)"]), logger: logger)
        defer { producer.close(timeout: .seconds(5)) }
        try producer.initTransactions()
        try producer.beginTransaction()
        try producer.sendOffsetsToTransaction(consumer.takeTransactionOffsets(), group: metadata)
        try producer.commitTransaction()

        let partition = TopicPartition(topic: topic, partition: 0)
        let committed = try ConsumerGroupInspector(configuration: configuration, logger: logger)
            .committedOffsets(group: group, partitions: [partition])
        return committed[partition] == 1
    }
}
