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
    /// Used for metadata, watermarks and DescribeGroups. A producer-type handle: it joins no
    /// group, so closing it never waits for a group coordinator.
    private let metadataClient: RDKafkaClient

    public init(configuration: KafkaConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        metadataClient = try RDKafkaClient(
            kind: .producer, properties: configuration.properties, callbacks: RDKafkaCallbacks(logger: logger))
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
        try metadataClient.partitionCounts(timeout: timeout)
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
    ///
    /// Uses the synchronous `rd_kafka_list_groups` (DescribeGroups underneath) rather than the
    /// DescribeConsumerGroups admin API: with librdkafka 2.0 an admin request the broker does
    /// not support keeps a reference on the client, and destroying the client then hangs.
    public func describe(group: String, timeout: Duration = .seconds(5)) -> GroupMembership {
        var list: UnsafePointer<rd_kafka_group_list>? = nil
        let err = rd_kafka_list_groups(metadataClient.handle, group, &list, Int32(timeout.milliseconds))
        defer { if let list { rd_kafka_group_list_destroy(list) } }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            return .unavailable(Self.unavailableText(err, String(cString: rd_kafka_err2str(err))))
        }
        guard let list, list.pointee.group_cnt > 0, let groups = list.pointee.groups else {
            return .unavailable("the broker returned no group")
        }
        let info = groups[0]
        if info.err != RD_KAFKA_RESP_ERR_NO_ERROR {
            return .unavailable(Self.unavailableText(info.err, String(cString: rd_kafka_err2str(info.err))))
        }
        let state = info.state.map { String(cString: $0) } ?? "Unknown"
        var members: [GroupMember] = []
        for index in 0..<Int(info.member_cnt) {
            let member = info.members[index]
            var assignment: [TopicPartition] = []
            if let bytes = member.member_assignment, member.member_assignment_size > 0 {
                let buffer = UnsafeRawBufferPointer(start: bytes, count: Int(member.member_assignment_size))
                assignment = Self.parseAssignment(Array(buffer)) ?? []
            }
            members.append(GroupMember(
                memberID: member.member_id.map { String(cString: $0) } ?? "",
                clientID: member.client_id.map { String(cString: $0) } ?? "",
                host: member.client_host.map { String(cString: $0) } ?? "",
                instanceID: nil, assignment: assignment.sorted()))
        }
        return .described(state: state, members: members.sorted { $0.clientID < $1.clientID })
    }

    /// Decodes a consumer-protocol MemberAssignment (big-endian): int16 version, then an array
    /// (int32 count) of topics, each an int16-length string and an array of int32 partitions.
    /// Returns nil if the bytes are not in that shape.
    static func parseAssignment(_ bytes: [UInt8]) -> [TopicPartition]? {
        var position = 0
        func integer(_ width: Int) -> Int? {
            guard position + width <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[position..<position + width] { value = value << 8 | Int(byte) }
            position += width
            // Sign-extend so a -1 (null array) reads as negative.
            if width < 8, value & (1 << (width * 8 - 1)) != 0 { value -= 1 << (width * 8) }
            return value
        }
        guard integer(2) != nil, let topicCount = integer(4), topicCount >= 0 else { return nil }
        var result: [TopicPartition] = []
        for _ in 0..<topicCount {
            guard let length = integer(2), length >= 0, position + length <= bytes.count else { return nil }
            let topic = String(decoding: bytes[position..<position + length], as: UTF8.self)
            position += length
            guard let partitionCount = integer(4), partitionCount >= 0 else { return nil }
            for _ in 0..<partitionCount {
                guard let partition = integer(4) else { return nil }
                result.append(TopicPartition(topic: topic, partition: Int32(partition)))
            }
        }
        return result
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

extension ConsumerGroupInspector {
    /// ``parseAssignment(_:)`` for tests outside this module.
    public static func parseAssignmentForTesting(_ bytes: [UInt8]) -> [TopicPartition]? { parseAssignment(bytes) }
}
