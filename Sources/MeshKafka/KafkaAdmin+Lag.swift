import CRdKafka
import Logging

/// One partition of a topic as a consumer group sees it.
public struct PartitionLag: Sendable, Equatable {
    public var topic: String
    public var partition: Int32
    /// The group's committed offset (the next record it will read), or `nil` if the group has
    /// never committed on this partition.
    public var committed: Int64?
    /// Oldest offset still stored (low watermark).
    public var logStart: Int64
    /// Offset the next record will get (high watermark, the end offset).
    public var end: Int64

    public init(topic: String, partition: Int32, committed: Int64?, logStart: Int64, end: Int64) {
        self.topic = topic
        self.partition = partition
        self.committed = committed
        self.logStart = logStart
        self.end = end
    }

    /// Records the group has still to read. Without a commit the group would start at the
    /// oldest stored record (`auto.offset.reset=earliest`), so everything stored counts; a
    /// commit older than the log start (records deleted by retention) counts from the start.
    public var lag: Int64 {
        let from = max(committed ?? logStart, logStart)
        return max(0, end - from)
    }
}

/// One member of a consumer group, as DescribeGroups reports it.
public struct GroupMember: Sendable, Equatable {
    public var memberID: String
    public var clientID: String
    public var host: String
    /// Static membership id (`group.instance.id`), when set.
    public var instanceID: String?
    public var assignment: [TopicPartition]

    public init(memberID: String, clientID: String, host: String, instanceID: String?, assignment: [TopicPartition]) {
        self.memberID = memberID
        self.clientID = clientID
        self.host = host
        self.instanceID = instanceID
        self.assignment = assignment
    }
}

/// A group's state and members, or why the broker could not say.
public enum GroupMembership: Sendable, Equatable {
    case described(state: String, members: [GroupMember])
    /// The broker does not implement DescribeGroups (librdkafka's embedded mock broker), or
    /// the request failed; the text says which.
    case unavailable(String)
}

/// Committed offsets and lag of consumer groups.
///
/// Committed offsets are read with `rd_kafka_committed` (OffsetFetch) from a consumer handle
/// created with the group's `group.id` that never subscribes, so it never joins the group
/// and never disturbs its members. That works on every broker, the embedded one included;
/// membership needs DescribeGroups, which only real brokers serve.
public final class ConsumerGroupInspector: @unchecked Sendable {
    private let configuration: KafkaConfiguration
    private let logger: Logger
    /// Used for metadata and watermarks (no group).
    private let metadataClient: RDKafkaClient

    public init(configuration: KafkaConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        metadataClient = try RDKafkaClient(
            kind: .consumer, properties: Self.inspectorProperties(configuration, groupID: "agentmesh-lag-inspector"),
            callbacks: RDKafkaCallbacks(logger: logger))
    }

    private static func inspectorProperties(_ configuration: KafkaConfiguration, groupID: String) -> [String: String] {
        var properties = configuration.properties
        properties["group.id"] = groupID
        // Never commit anything, never store offsets: this handle only asks.
        properties["enable.auto.commit"] = "false"
        properties["enable.auto.offset.store"] = "false"
        return properties
    }

    /// Partition counts of the topics that exist on the cluster.
    public func partitionCounts(timeout: Duration = .seconds(10)) throws -> [String: Int] {
        var metadata: UnsafePointer<rd_kafka_metadata>? = nil
        let err = rd_kafka_metadata(metadataClient.handle, 1, nil, &metadata, Int32(timeout.milliseconds))
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw KafkaError(err, context: "read cluster metadata")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        var counts: [String: Int] = [:]
        for index in 0..<Int(metadata.pointee.topic_cnt) {
            let topic = metadata.pointee.topics[index]
            guard topic.err == RD_KAFKA_RESP_ERR_NO_ERROR else { continue }
            counts[String(cString: topic.topic)] = Int(topic.partition_cnt)
        }
        return counts
    }

    /// The offsets `group` has committed on `partitions` (`nil` where it has none).
    public func committedOffsets(
        group: String, partitions: [TopicPartition], timeout: Duration = .seconds(10)
    ) throws -> [TopicPartition: Int64?] {
        guard !partitions.isEmpty else { return [:] }
        let client = try RDKafkaClient(
            kind: .consumer, properties: Self.inspectorProperties(configuration, groupID: group),
            callbacks: RDKafkaCallbacks(logger: logger))
        let list = makePartitionList(partitions)
        defer { rd_kafka_topic_partition_list_destroy(list) }
        let err = rd_kafka_committed(client.handle, list, Int32(timeout.milliseconds))
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err, context: "committed offsets of group \(group)") }
        var result: [TopicPartition: Int64?] = [:]
        for index in 0..<Int(list.pointee.cnt) {
            let element = list.pointee.elems[index]
            let key = TopicPartition(topic: String(cString: element.topic), partition: element.partition)
            if element.err != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(element.err, context: "committed offset of group \(group) on \(key)")
            }
            result[key] = element.offset >= 0 ? element.offset : nil
        }
        return result
    }

    /// Low and high watermark of one partition.
    public func watermarks(topic: String, partition: Int32, timeout: Duration = .seconds(10)) throws -> (low: Int64, high: Int64) {
        var low: Int64 = 0
        var high: Int64 = 0
        let err = rd_kafka_query_watermark_offsets(
            metadataClient.handle, topic, partition, &low, &high, Int32(timeout.milliseconds))
        if err != RD_KAFKA_RESP_ERR_NO_ERROR { throw KafkaError(err, context: "watermarks of \(topic)[\(partition)]") }
        return (low, high)
    }

    /// Per partition of `topics` (name -> partition count): committed offset, end offset, lag.
    public func lag(group: String, topics: [String: Int], timeout: Duration = .seconds(10)) throws -> [PartitionLag] {
        let partitions = topics.sorted { $0.key < $1.key }.flatMap { topic, count in
            (0..<Int32(count)).map { TopicPartition(topic: topic, partition: $0) }
        }
        let committed = try committedOffsets(group: group, partitions: partitions, timeout: timeout)
        return try partitions.map { partition in
            let marks = try watermarks(topic: partition.topic, partition: partition.partition, timeout: timeout)
            return PartitionLag(
                topic: partition.topic, partition: partition.partition,
                committed: committed[partition] ?? nil, logStart: marks.low, end: marks.high)
        }
    }

    /// The group's state and members. Never throws: a broker without DescribeGroups (the
    /// embedded one) or a failed request gives ``GroupMembership/unavailable(_:)``.
    public func describe(group: String, timeout: Duration = .seconds(5)) -> GroupMembership {
        var errorBuffer = [CChar](repeating: 0, count: 512)
        guard let queue = rd_kafka_queue_new(metadataClient.handle) else { return .unavailable("cannot create a queue") }
        defer { rd_kafka_queue_destroy(queue) }
        guard let options = rd_kafka_AdminOptions_new(metadataClient.handle, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS) else {
            return .unavailable("DescribeConsumerGroups is not supported by this librdkafka")
        }
        defer { rd_kafka_AdminOptions_destroy(options) }
        rd_kafka_AdminOptions_set_request_timeout(options, Int32(timeout.milliseconds), &errorBuffer, errorBuffer.count)
        group.withCString { name in
            var names: [UnsafePointer<CChar>?] = [name]
            names.withUnsafeMutableBufferPointer { buffer in
                rd_kafka_DescribeConsumerGroups(metadataClient.handle, buffer.baseAddress, 1, options, queue)
            }
        }
        guard let event = rd_kafka_queue_poll(queue, Int32(timeout.milliseconds) + 2000) else {
            return .unavailable("DescribeGroups timed out")
        }
        defer { rd_kafka_event_destroy(event) }
        let eventErr = rd_kafka_event_error(event)
        if eventErr != RD_KAFKA_RESP_ERR_NO_ERROR {
            return .unavailable(Self.unavailableText(eventErr, String(cString: rd_kafka_event_error_string(event))))
        }
        guard let result = rd_kafka_event_DescribeConsumerGroups_result(event) else {
            return .unavailable("unexpected answer to DescribeGroups")
        }
        var count = 0
        guard let groups = rd_kafka_DescribeConsumerGroups_result_groups(result, &count), count > 0,
              let description = groups[0]
        else { return .unavailable("the broker returned no group") }
        if let error = rd_kafka_ConsumerGroupDescription_error(description) {
            let code = rd_kafka_error_code(error)
            return .unavailable(Self.unavailableText(code, String(cString: rd_kafka_error_string(error))))
        }
        let state = String(cString: rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(description)))
        var members: [GroupMember] = []
        for index in 0..<rd_kafka_ConsumerGroupDescription_member_count(description) {
            guard let member = rd_kafka_ConsumerGroupDescription_member(description, index) else { continue }
            var assignment: [TopicPartition] = []
            if let assigned = rd_kafka_MemberDescription_assignment(member),
               let list = rd_kafka_MemberAssignment_partitions(assigned) {
                assignment = (0..<Int(list.pointee.cnt)).map { item in
                    TopicPartition(topic: String(cString: list.pointee.elems[item].topic), partition: list.pointee.elems[item].partition)
                }.sorted()
            }
            members.append(GroupMember(
                memberID: String(cString: rd_kafka_MemberDescription_consumer_id(member)),
                clientID: String(cString: rd_kafka_MemberDescription_client_id(member)),
                host: String(cString: rd_kafka_MemberDescription_host(member)),
                instanceID: rd_kafka_MemberDescription_group_instance_id(member).map { String(cString: $0) },
                assignment: assignment))
        }
        return .described(state: state, members: members.sorted { $0.clientID < $1.clientID })
    }

    private static func unavailableText(_ code: rd_kafka_resp_err_t, _ detail: String) -> String {
        let name = String(cString: rd_kafka_err2name(code))
        switch code {
        case RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE, RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION,
             RD_KAFKA_RESP_ERR_INVALID_REQUEST:
            return "not available on this broker (DescribeGroups unsupported, e.g. the embedded broker): \(name)"
        default:
            return "DescribeGroups failed: \(name): \(detail)"
        }
    }
}
