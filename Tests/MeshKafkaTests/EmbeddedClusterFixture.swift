import Logging
import MeshKafka
import MeshTestSupport
import XCTest

/// An in-process embedded cluster plus client settings tuned for it.
struct EmbeddedClusterFixture {
    let cluster: EmbeddedKafkaCluster
    let logger = Logger(label: "test")

    init(brokers: Int = 3) throws {
        cluster = try EmbeddedKafkaCluster(brokers: brokers, logger: Logger(label: "embedded"))
    }

    var configuration: KafkaConfiguration {
        KafkaConfiguration(
            bootstrapServers: cluster.bootstrapServers, properties: EmbeddedKafkaCluster.recommendedClientProperties)
    }

    func producer() throws -> KafkaProducer {
        try KafkaProducer(configuration: configuration, logger: logger)
    }

    func groupConsumer(group: String, topics: [String]) throws -> KafkaConsumer {
        try KafkaConsumer(configuration: configuration, subscription: .group(groupID: group, topics: topics), logger: logger)
    }
}

/// Collects what a consumer reads in the background, marking records done as a worker
/// would (or not, per `shouldMarkDone`).
actor Collector {
    private(set) var messages: [ConsumedMessage] = []

    func append(_ message: ConsumedMessage) { messages.append(message) }

    var values: [String] { messages.map { String(decoding: $0.value, as: UTF8.self) } }
}

func startConsuming(
    _ consumer: KafkaConsumer, into collector: Collector,
    shouldMarkDone: @escaping @Sendable (ConsumedMessage) -> Bool = { _ in true }
) -> Task<Void, Never> {
    Task {
        for await message in consumer.messages {
            await collector.append(message)
            if shouldMarkDone(message) { consumer.markDone(message) }
        }
    }
}

func produce(_ producer: KafkaProducer, topic: String, values: [String]) async throws {
    try await withThrowingTaskGroup(of: DeliveryReport.self) { group in
        for value in values {
            group.addTask {
                try await producer.send(OutgoingMessage(topic: topic, key: Array(value.utf8), value: Array(value.utf8)))
            }
        }
        try await group.waitForAll()
    }
}
