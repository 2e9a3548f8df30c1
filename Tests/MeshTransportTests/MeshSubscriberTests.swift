import Logging
import MeshKafka
import MeshSigning
import MeshTestSupport
import MeshTransport
import MeshWire
import XCTest

/// Sealed envelopes through the embedded broker: good ones reach the handler, bad ones are
/// reported, dead-lettered with their reason and never handed out.
final class MeshSubscriberTests: XCTestCase {
    func testOnlyVerifiedEnvelopesAreHandedOutAndTheRestAreDeadLettered() async throws {
        let logger = Logger(label: "test")
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: logger)
        try cluster.createTopic("mesh.results", partitions: 3)
        try cluster.createTopic("mesh.deadletter", partitions: 1)
        let configuration = KafkaConfiguration(
            bootstrapServers: cluster.bootstrapServers, properties: EmbeddedKafkaCluster.recommendedClientProperties)
        let ring = try TestKeyRing()
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        let publisher = MeshPublisher(producer: producer, sealer: try ring.sealer("coding"))

        let good = (0..<20).map { sampleResult(correlationID: "obj-\($0)") }
        for envelope in good { try await publisher.publish(envelope, to: "mesh.results") }
        // Garbage bytes, a forged signature, a key nobody trusts.
        try await producer.send(OutgoingMessage(topic: "mesh.results", key: Array("x".utf8), value: Array("garbage".utf8)))
        let codec = EnvelopeCodec()
        var forged = try codec.decodeSealed(try ring.sealer("coding").seal(sampleResult(correlationID: "forged")))
        forged.signatures[0].signature = [UInt8](repeating: 9, count: 32)
        try await producer.send(OutgoingMessage(topic: "mesh.results", value: try codec.encode(forged)))
        let stranger = try TestKeyRing().sealer("coding")
        try await producer.send(OutgoingMessage(topic: "mesh.results", value: try stranger.seal(sampleResult(correlationID: "stranger"))))

        let consumer = try KafkaConsumer(
            configuration: configuration,
            subscription: .partitions((0..<3).map { TopicPartition(topic: "mesh.results", partition: $0) }), logger: logger)
        let deadLetters = DeadLetterPublisher(producer: producer, topic: "mesh.deadletter", role: "reviewer", logger: logger)
        let subscriber = MeshSubscriber(consumer: consumer, opener: try ring.opener(), deadLetters: deadLetters, logger: logger)
        let handled = Gathered<InboundEnvelope>()
        let reading = Task {
            while let inbound = await subscriber.next() { await handled.append(inbound) }
        }
        try await eventually("20 envelopes handled and 3 rejected") {
            await handled.count == 20 && subscriber.rejectionCounts.values.reduce(0, +) == 3
        }
        let handedOut = await handled.values
        XCTAssertEqual(Set(handedOut.map(\.envelope.id)), Set(good.map(\.id)))
        XCTAssertTrue(handedOut.allSatisfy { $0.opened.signer.principal == "coding" })

        // The three bad records went to the dead-letter topic with reasons and coordinates.
        let dlqConsumer = try KafkaConsumer(
            configuration: configuration, subscription: .partitions([TopicPartition(topic: "mesh.deadletter", partition: 0)]),
            logger: logger)
        let watchdog = Task {
            try await Task.sleep(for: .seconds(20))
            dlqConsumer.close()  // ends the loop below if the dead letters never arrive
        }
        var deadLettered: [ConsumedMessage] = []
        for await letter in dlqConsumer.messages {
            deadLettered.append(letter)
            if deadLettered.count == 3 { break }
        }
        watchdog.cancel()
        let reasons = deadLettered.compactMap { $0.headers.string(DeadLetterHeader.reason) }.sorted()
        XCTAssertEqual(reasons, ["bad-signature", "malformed", "unknown-key"])
        for letter in deadLettered {
            XCTAssertEqual(letter.headers.string(DeadLetterHeader.sourceTopic), "mesh.results")
            XCTAssertNotNil(letter.headers.string(DeadLetterHeader.sourceOffset).flatMap(Int64.init))
            XCTAssertFalse(letter.headers.string(DeadLetterHeader.detail)?.isEmpty ?? true)
        }
        XCTAssertTrue(deadLettered.contains { $0.value == Array("garbage".utf8) }, "the value is kept verbatim")
        XCTAssertEqual(subscriber.rejectionCounts, [.malformed: 1, .badSignature: 1, .unknownKey: 1])
        consumer.close()
        reading.cancel()
        dlqConsumer.close()
        producer.close()
    }
}

