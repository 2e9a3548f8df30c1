// What topic creation needs: retention in milliseconds and the Kafka config map.

/// Everything needed to create one topic with the Kafka admin API.
public struct TopicCreationSpec: Sendable, Hashable {
    /// Topic name.
    public let name: String
    /// Partition count.
    public let partitions: Int
    /// Replication factor to request.
    public let replicationFactor: Int
    /// Topic configs (`retention.ms`, `cleanup.policy` and passthrough configs).
    public let configs: [String: String]
}

extension Topic {
    /// Kafka's `retention.ms`: milliseconds, or -1 for `forever`.
    public var retentionMs: Int64 { retention.kafkaRetentionMs }

    /// The topic configs to create it with: the passthrough `configs`, plus
    /// `retention.ms` and `cleanup.policy` from the declared fields.
    public var kafkaConfigs: [String: String] {
        var result = configs
        result["retention.ms"] = String(retentionMs)
        result["cleanup.policy"] = cleanupPolicy.rawValue
        return result
    }

    /// The creation spec for a cluster of `brokerCount` brokers (`nil`: a real cluster,
    /// taken as large enough). On a smaller cluster, such as the single embedded broker,
    /// the replication factor is capped to the broker count and `min.insync.replicas`
    /// to the replication factor, so the same catalog works everywhere.
    public func creationSpec(brokerCount: Int? = nil) -> TopicCreationSpec {
        var configs = kafkaConfigs
        var replication = replicationFactor
        if let brokerCount, brokerCount >= 1, brokerCount < replication {
            replication = brokerCount
            if let minISR = configs["min.insync.replicas"].flatMap(Int.init), minISR > replication {
                configs["min.insync.replicas"] = String(replication)
            }
        }
        return TopicCreationSpec(name: name, partitions: partitions, replicationFactor: replication, configs: configs)
    }
}

extension Catalog {
    /// Creation specs for every topic, in declared order. See ``Topic/creationSpec(brokerCount:)``.
    public func creationSpecs(brokerCount: Int? = nil) -> [TopicCreationSpec] {
        topics.map { $0.creationSpec(brokerCount: brokerCount) }
    }
}
