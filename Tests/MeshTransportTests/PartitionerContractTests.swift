import Foundation
import Logging
import MeshCatalog
import MeshKafka
import XCTest

/// Every mesh producer places keyed records with the catalog's partitioner, and the Swift
/// partitioner the receivers check against agrees with librdkafka's own placement.
final class PartitionerContractTests: XCTestCase {
    func testEveryProducerSetsTheCatalogsPartitionerExplicitly() throws {
        let catalog = try CatalogLoader.load(directory: URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Topics"))
        XCTAssertEqual(KafkaProducer.defaultProperties["partitioner"], catalog.partitioner.rawValue)
    }

    /// Real librdkafka producers on the embedded broker: the default one places every key where
    /// `KeyPartitioner` says; a murmur2 one (Java's default) does not, which is what receivers
    /// detect as `misrouted`.
    func testLibrdkafkaPlacesEveryKeyWhereTheKeyPartitionerSays() async throws {
        let logger = Logger(label: "test")
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: logger)
        try cluster.createTopic("routing", partitions: 12)
        let kafka = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers,
                                       properties: EmbeddedKafkaCluster.recommendedClientProperties)
        let keys = (0..<120).map { "obj-\($0)-" + String(KeyPartitioner.crc32(Array("\($0)".utf8)), radix: 16) }

        func placements(_ overrides: [String: String]) async throws -> [Int32] {
            let producer = try KafkaProducer(configuration: kafka.merging(overrides), logger: logger)
            defer { producer.close() }
            var partitions: [Int32] = []
            for key in keys {
                partitions.append(try await producer.send(
                    OutgoingMessage(topic: "routing", key: Array(key.utf8), value: [1])).partition)
            }
            return partitions
        }
        let expected = keys.map { KeyPartitioner.consistentRandom.partition(forKey: $0, partitions: 12) }
        let placedByDefault = try await placements([:])
        XCTAssertEqual(placedByDefault, expected)
        let placedByMurmur2 = try await placements(["partitioner": "murmur2"])
        XCTAssertGreaterThan(zip(placedByMurmur2, expected).filter { $0 != $1 }.count, keys.count / 2,
                             "murmur2 places most keys elsewhere")
    }
}
