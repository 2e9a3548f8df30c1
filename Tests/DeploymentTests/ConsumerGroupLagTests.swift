// `meshctl lag`'s Kafka side (MeshKafka.ConsumerGroupInspector) against the embedded broker.
// Needs "MeshKafka" among the DeploymentTests dependencies in Package.swift; without it this
// file compiles to nothing.
#if canImport(CRdKafka)  // true once DeploymentTests depends on MeshKafka (which brings the C module)
import Logging
import MeshKafka
import MeshTestSupport
import XCTest

final class ConsumerGroupLagTests: XCTestCase {
    private let logger = Logger(label: "lag-test")

    func testCommittedEndAndLagPerPartitionForAGroupThatCommittedAndOneThatNeverDid() async throws {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: logger)
        let configuration = KafkaConfiguration(
            bootstrapServers: cluster.bootstrapServers, properties: EmbeddedKafkaCluster.recommendedClientProperties)
        try cluster.createTopic("mesh.results", partitions: 3)
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        for partition in 0..<3 {
            for index in 0..<10 {
                _ = try await producer.send(OutgoingMessage(
                    topic: "mesh.results", value: Array("p\(partition)-\(index)".utf8), partition: Int32(partition)))
            }
        }
        producer.close()

        // mesh-reviewer finishes the first 6 records of each partition, then stops (commits on close).
        let consumer = try KafkaConsumer(
            configuration: configuration, subscription: .group(groupID: "mesh-reviewer", topics: ["mesh.results"]),
            logger: logger)
        let seen = Counter()
        let reading = Task {
            for await message in consumer.messages {
                await seen.increment()
                let index = Int(String(decoding: message.value, as: UTF8.self).split(separator: "-")[1])!
                if index < 6 { consumer.markDone(message) }
            }
        }
        try await eventually("the reviewer read all 30 records", timeout: .seconds(30)) { await seen.value == 30 }
        consumer.close()
        reading.cancel()

        let inspector = try ConsumerGroupInspector(configuration: configuration, logger: logger)
        XCTAssertEqual(try inspector.partitionCounts()["mesh.results"], 3)

        let reviewer = try inspector.lag(group: "mesh-reviewer", topics: ["mesh.results": 3])
        XCTAssertEqual(reviewer.map(\.partition), [0, 1, 2])
        XCTAssertEqual(reviewer.map(\.committed), [6, 6, 6])
        XCTAssertEqual(reviewer.map(\.end), [10, 10, 10])
        XCTAssertEqual(reviewer.map(\.lag), [4, 4, 4])
        XCTAssertEqual(reviewer.reduce(0) { $0 + $1.lag }, 12)

        // A group that never ran would start at the oldest record: everything is lag.
        let compliance = try inspector.lag(group: "mesh-compliance", topics: ["mesh.results": 3])
        XCTAssertEqual(compliance.map(\.committed), [nil, nil, nil])
        XCTAssertEqual(compliance.map(\.lag), [10, 10, 10])

        // The embedded broker has no DescribeGroups: reported, never a crash.
        switch inspector.describe(group: "mesh-reviewer", timeout: .seconds(3)) {
        case .unavailable(let reason): XCTAssertFalse(reason.isEmpty)
        case .described(let state, let members): XCTAssertTrue(members.isEmpty, "\(state) \(members)")
        }
        // Clients go before the broker they talk to.
        withExtendedLifetime(inspector) {}
        withExtendedLifetime(cluster) {}
    }

    func testAssignmentBytesDecode() {
        // version 0; 1 topic "mesh.results" with partitions 0 and 5; no user data.
        let topic = Array("mesh.results".utf8)
        var bytes: [UInt8] = [0, 0, 0, 0, 0, 1, 0, UInt8(topic.count)] + topic
        bytes += [0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 5, 0xFF, 0xFF, 0xFF, 0xFF]
        XCTAssertEqual(ConsumerGroupInspector.parseAssignmentForTesting(bytes), [
            TopicPartition(topic: "mesh.results", partition: 0), TopicPartition(topic: "mesh.results", partition: 5),
        ])
        XCTAssertNil(ConsumerGroupInspector.parseAssignmentForTesting([0, 0, 0, 0, 0, 1, 0, 9, 1]))
    }

    func testLagArithmetic() {
        XCTAssertEqual(PartitionLag(topic: "t", partition: 0, committed: 7, logStart: 0, end: 10).lag, 3)
        XCTAssertEqual(PartitionLag(topic: "t", partition: 0, committed: nil, logStart: 4, end: 10).lag, 6)
        // Retention deleted records the group had not read: count from the log start.
        XCTAssertEqual(PartitionLag(topic: "t", partition: 0, committed: 2, logStart: 5, end: 10).lag, 5)
        XCTAssertEqual(PartitionLag(topic: "t", partition: 0, committed: 10, logStart: 0, end: 10).lag, 0)
    }
}

private actor Counter {
    private(set) var value = 0
    func increment() { value += 1 }
}
#endif
