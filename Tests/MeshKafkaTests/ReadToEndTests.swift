import Logging
import MeshKafka
import MeshTestSupport
import XCTest

final class ReadToEndTests: XCTestCase {
    func testPartitionsToEndFinishesAfterTheLastRecordOfEveryPartitionIncludingEmptyOnes() async throws {
        let fixture = try EmbeddedClusterFixture()
        try fixture.cluster.createTopic("ends", partitions: 3)
        let producer = try fixture.producer()
        let values = (0..<40).map { "v\($0)" }
        try await produce(producer, topic: "ends", values: values)
        // Partition 3 of another topic stays empty: its end is reached at once.
        try fixture.cluster.createTopic("empty", partitions: 1)
        let partitions = (0..<3).map { TopicPartition(topic: "ends", partition: Int32($0)) }
            + [TopicPartition(topic: "empty", partition: 0)]
        let consumer = try KafkaConsumer(
            configuration: fixture.configuration, subscription: .partitionsToEnd(partitions), logger: fixture.logger)
        defer { consumer.close() }
        let reading = Task {
            var read: [String] = []
            for await message in consumer.messages { read.append(String(decoding: message.value, as: UTF8.self)) }
            return read
        }
        let watchdog = Task {
            try await Task.sleep(for: .seconds(30))
            consumer.close()
            XCTFail("the records never ended")
        }
        let read = await reading.value
        watchdog.cancel()
        XCTAssertEqual(read.sorted(), values.sorted())
    }

    func testTopicReaderReturnsWhatTheTopicHoldsAndNothingForAnEmptyTopic() async throws {
        let fixture = try EmbeddedClusterFixture()
        try fixture.cluster.createTopic("held", partitions: 2)
        try fixture.cluster.createTopic("none", partitions: 2)
        try await produce(try fixture.producer(), topic: "held", values: ["a", "b", "c"])
        let held = try await TopicReader.readToEnd("held", configuration: fixture.configuration, logger: fixture.logger)
        XCTAssertEqual(held.map { String(decoding: $0.value, as: UTF8.self) }.sorted(), ["a", "b", "c"])
        let none = try await TopicReader.readToEnd("none", configuration: fixture.configuration, logger: fixture.logger)
        XCTAssertTrue(none.isEmpty)
    }
}
