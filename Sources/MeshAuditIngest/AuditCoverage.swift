import MeshAudit
import MeshKafka

/// Whether an audit store holds the records of some topics each once: the records read from
/// the topics against those read from the store, both identified as the store deduplicates
/// them (envelope id, or Kafka coordinates for a record without one).
public struct AuditCoverage: Sendable, Equatable, Codable {
    /// Records read from the topics.
    public var published: Int
    /// Records in the store.
    public var stored: Int
    /// Records on the topics the store lacks.
    public var missing: Int
    /// Stored copies beyond the first of one identity.
    public var duplicates: Int
    /// Stored records the topics do not hold.
    public var unexpected: Int

    /// Compares the identities (`key(…)`) of the topics' records and the stored ones.
    public init(published: [String], stored: [String]) {
        let publishedSet = Set(published)
        var seen = Set<String>()
        var duplicates = 0
        for key in stored where !seen.insert(key).inserted { duplicates += 1 }
        self.published = published.count
        self.stored = stored.count
        self.missing = publishedSet.subtracting(seen).count
        self.duplicates = duplicates
        self.unexpected = seen.subtracting(publishedSet).count
    }

    /// Every record stored once and nothing else.
    public var isComplete: Bool { missing == 0 && duplicates == 0 && unexpected == 0 }

    /// The identity of a stored record.
    public static func key(_ input: AuditRecordInput) -> String {
        key(envelopeID: input.envelopeID, topic: input.kafka.topic, partition: input.kafka.partition, offset: input.kafka.offset)
    }

    /// The identity of a record on a topic, as the sink would store it.
    public static func key(_ message: ConsumedMessage, builder: AuditInputBuilder) -> String {
        key(builder.build(message).input)
    }

    private static func key(envelopeID: String, topic: String, partition: Int32, offset: Int64) -> String {
        envelopeID.isEmpty ? "\(topic)[\(partition)]@\(offset)" : envelopeID
    }
}
