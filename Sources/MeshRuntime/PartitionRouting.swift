import Foundation
import MeshCatalog
import MeshTransport

/// Whether an inbound record sits on the partition the catalog's partitioner gives it.
///
/// The orchestrator owns a plan by partition number: every record of one objective must land
/// on the same partition of every co-partitioned topic. That holds only if every producer
/// maps the correlation id to a partition the same way (`partitioner:` in the catalog). A
/// record placed by another partitioner (Java's murmur2, say) or under another key would
/// reach an instance that does not own its plan, and the plan would hang without a word; so
/// it is dead-lettered as `misrouted`, naming the partition it belongs on, before any handler
/// sees it.
public final class PartitionRouting: @unchecked Sendable {
    private let catalog: Catalog
    private let readPartitionCounts: @Sendable () throws -> [String: Int]
    private let lock = NSLock()
    /// Partition counts of the cluster's topics, read when first needed and again when a
    /// record looks misrouted (a topic may have gained partitions since).
    private var counts: [String: Int] = [:]

    /// `partitionCounts` reads the counts from the cluster (e.g. `KafkaConsumer.partitionCounts`):
    /// librdkafka places records by the real count, which is the catalog's on a mesh cluster
    /// but may differ on a test broker.
    public init(catalog: Catalog, partitionCounts: @escaping @Sendable () throws -> [String: Int]) {
        self.catalog = catalog
        self.readPartitionCounts = partitionCounts
    }

    /// Why `inbound` is on the wrong partition, or `nil` when it is where it belongs, its
    /// topic is not keyed by correlation id, or the partition count cannot be read yet (the
    /// next record asks again; a broker that cannot answer metadata delivers nothing anyway).
    public func check(_ inbound: InboundEnvelope) -> EnvelopeRejection? {
        let topic = inbound.message.topic
        guard catalog.topic(named: topic)?.key == .correlationID else { return nil }
        guard let cached = partitionCount(topic, refresh: false) else { return nil }
        guard let expected = Self.misplaced(inbound, partitions: cached, partitioner: catalog.partitioner) else { return nil }
        // Confirm with fresh metadata before refusing: the topic may have grown.
        guard let current = partitionCount(topic, refresh: true), current != cached else {
            return Self.rejection(inbound, expected: expected, partitions: cached, partitioner: catalog.partitioner)
        }
        return Self.misplaced(inbound, partitions: current, partitioner: catalog.partitioner).map {
            Self.rejection(inbound, expected: $0, partitions: current, partitioner: catalog.partitioner)
        }
    }

    /// The partition `inbound` belongs on, when it is not on it.
    static func misplaced(_ inbound: InboundEnvelope, partitions: Int, partitioner: KeyPartitioner) -> Int32? {
        let expected = partitioner.partition(forKey: inbound.envelope.correlationID, partitions: partitions)
        return expected == inbound.message.partition ? nil : expected
    }

    static func rejection(
        _ inbound: InboundEnvelope, expected: Int32, partitions: Int, partitioner: KeyPartitioner
    ) -> EnvelopeRejection {
        let key = inbound.message.key.map { "\"\(String(decoding: $0, as: UTF8.self))\"" } ?? "none"
        return EnvelopeRejection(
            .misrouted,
            "correlation id \"\(inbound.envelope.correlationID)\" belongs on partition \(expected) of "
                + "\(inbound.message.topic) (\(partitioner.rawValue) over \(partitions) partitions) but arrived on "
                + "partition \(inbound.message.partition) (record key \(key)); the producer must key records by "
                + "correlation id and use librdkafka's partitioner=\(partitioner.rawValue) (Topics/mesh.yaml)")
    }

    private func partitionCount(_ topic: String, refresh: Bool) -> Int? {
        if !refresh, let count = lock.withLock({ counts[topic] }) { return count }
        guard let fresh = try? readPartitionCounts() else { return nil }
        return lock.withLock {
            counts = fresh
            return fresh[topic].flatMap { $0 >= 1 ? $0 : nil }
        }
    }
}
