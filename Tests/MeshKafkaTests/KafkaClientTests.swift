import MeshKafka
import MeshTestSupport
import XCTest

final class KafkaClientTests: XCTestCase {
    func testRecordsKeepKeyValueAndHeadersThroughTheBroker() async throws {
        let fixture = try EmbeddedClusterFixture()
        try fixture.cluster.createTopic("roundtrip", partitions: 3)
        let producer = try fixture.producer()
        let headers = [KafkaHeader(key: "ce_id", string: "e-1"), KafkaHeader(key: "bin", value: [0, 255, 1])]
        let report = try await producer.send(
            OutgoingMessage(topic: "roundtrip", key: Array("k".utf8), value: [1, 2, 3], headers: headers, partition: 2))
        XCTAssertEqual(report.partition, 2)
        XCTAssertEqual(report.offset, 0)

        let consumer = try KafkaConsumer(
            configuration: fixture.configuration,
            subscription: .partitions([TopicPartition(topic: "roundtrip", partition: 2)]), logger: fixture.logger)
        var iterator = consumer.messages.makeAsyncIterator()
        let next = await iterator.next()
        let message = try XCTUnwrap(next)
        XCTAssertEqual(message.value, [1, 2, 3])
        XCTAssertEqual(message.key, Array("k".utf8))
        XCTAssertEqual(message.headers.all, headers)
        XCTAssertEqual(message.headers.string("ce_id"), "e-1")
        XCTAssertEqual(message.topicPartition, TopicPartition(topic: "roundtrip", partition: 2))
        XCTAssertGreaterThan(message.timestampMs, 0)
        consumer.close()
        producer.close()
    }

    func testARecordAsLargeAsTheLargestSealedEnvelopeIsProduced() async throws {
        let fixture = try EmbeddedClusterFixture()
        try fixture.cluster.createTopic("large", partitions: 1)
        let producer = try fixture.producer()
        defer { producer.close() }
        // 1 MiB envelope + 64 KiB sealing overhead (EnvelopeCodec.maxSealedBytes), over librdkafka's default limit.
        let value = [UInt8](repeating: 7, count: (1 << 20) + 64 * 1024)
        let report = try await producer.send(OutgoingMessage(topic: "large", key: nil, value: value))
        XCTAssertEqual(report.offset, 0)
    }

    func testProduceToAMissingBrokerFailsWithATypedRetriableError() async throws {
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(bootstrapServers: "127.0.0.1:1", properties: ["message.timeout.ms": "500"]),
            logger: .init(label: "test"))
        do {
            try await producer.send(OutgoingMessage(topic: "nowhere", value: [1]))
            XCTFail("delivery to an unreachable broker must fail")
        } catch let error as KafkaError {
            XCTAssertEqual(error.name, "_MSG_TIMED_OUT")
            XCTAssertTrue(error.isRetriable)
        }
        producer.close(timeout: .milliseconds(100))
    }

    func testIdempotentProducerLosesNothingWhileABrokerGoesDownAndComesBack() async throws {
        let fixture = try EmbeddedClusterFixture()
        try fixture.cluster.createTopic("faults", partitions: 3, replicationFactor: 3)
        let producer = try fixture.producer()
        let first = (0..<100).map { "a\($0)" }
        let second = (0..<100).map { "b\($0)" }
        try await produce(producer, topic: "faults", values: first)
        try fixture.cluster.setBrokerDown(1)
        let sending = Task { try await produce(producer, topic: "faults", values: second) }
        try await Task.sleep(for: .milliseconds(500))
        try fixture.cluster.setBrokerUp(1)
        try await sending.value

        let consumer = try KafkaConsumer(
            configuration: fixture.configuration,
            subscription: .partitions((0..<3).map { TopicPartition(topic: "faults", partition: $0) }),
            logger: fixture.logger)
        let collector = Collector()
        let reading = startConsuming(consumer, into: collector)
        try await eventually("200 records read") { await collector.messages.count >= 200 }
        try await Task.sleep(for: .milliseconds(300))  // a duplicate would show up now
        let values = await collector.values
        XCTAssertEqual(values.count, 200, "no duplicates")
        XCTAssertEqual(Set(values), Set(first + second), "no loss")
        consumer.close()
        reading.cancel()
        producer.close()
    }

    func testAPausedPartitionDeliversNothingUntilResumed() async throws {
        let fixture = try EmbeddedClusterFixture()
        try fixture.cluster.createTopic("pausing", partitions: 2)
        let producer = try fixture.producer()
        let paused = TopicPartition(topic: "pausing", partition: 0)
        let flowing = TopicPartition(topic: "pausing", partition: 1)
        let consumer = try KafkaConsumer(
            configuration: fixture.configuration, subscription: .partitions([paused, flowing]), logger: fixture.logger)
        try consumer.pause([paused])
        for index in 0..<5 {
            try await producer.send(OutgoingMessage(topic: "pausing", value: Array("p0-\(index)".utf8), partition: 0))
            try await producer.send(OutgoingMessage(topic: "pausing", value: Array("p1-\(index)".utf8), partition: 1))
        }
        let seen = Collector()
        let reading = startConsuming(consumer, into: seen)
        try await eventually("the flowing partition is read") { await seen.messages.count >= 5 }
        try await Task.sleep(for: .milliseconds(500))
        let beforeResume = await seen.values
        XCTAssertEqual(Set(beforeResume), Set((0..<5).map { "p1-\($0)" }), "nothing from the paused partition")
        try consumer.resume([paused])
        try await eventually("the resumed partition is read") { await seen.messages.count == 10 }
        consumer.close()
        reading.cancel()
        producer.close()
    }
}
