import ArgumentParser
import Foundation
import Logging
import MeshCLI
import MeshCatalog
import MeshKafka
import MeshLogging
import MeshTransport
import MeshWire

struct TailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Print the verified envelopes of a topic, one line each.",
        discussion: """
            Every record is verified like a role would: records with a bad or unknown signature
            or that are not envelopes are reported on stderr with the reason and skipped.
            Without --group it reads all partitions from the beginning and commits nothing; with
            --group it joins that consumer group and commits what it printed, so a second run
            continues where the first stopped.
            """)

    @Argument(help: "Topic to read, e.g. mesh.results.") var topic: String
    @Option(help: "Join this consumer group and commit what was printed.") var group: String?
    @Option(help: "Stop after this many envelopes.") var count: Int?
    @Option(help: "Stop after this many seconds.") var seconds: Double?
    @Flag(help: "One JSON object per line.") var json = false
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        MeshLogging.bootstrap(role: MeshRoles.meshctl, level: .warning)
        let logger = Logger(label: "meshctl.tail")
        let configuration = try connection.kafkaConfiguration()
        let subscription: KafkaConsumer.Subscription
        if let group {
            subscription = .group(groupID: group, topics: [topic])
        } else {
            let admin = try KafkaAdmin(configuration: configuration, logger: logger)
            guard let described = try admin.describeTopics().first(where: { $0.name == topic }) else {
                throw ValidationError("topic \(topic) does not exist on \(configuration.bootstrapServers ?? "?")")
            }
            subscription = .partitions((0..<described.partitions).map { TopicPartition(topic: topic, partition: Int32($0)) })
        }
        let consumer = try KafkaConsumer(configuration: configuration, subscription: subscription, logger: logger)
        let subscriber = MeshSubscriber(
            consumer: consumer, opener: try connection.opener(), deadLetters: nil, logger: logger
        ) { rejection, message in
            FileHandle.standardError.write(Data(
                "rejected \(message.topic)[\(message.partition)]@\(message.offset): \(rejection)\n".utf8))
        }
        let stopper = seconds.map { limit in Task { try await Task.sleep(for: .seconds(limit)); consumer.close() } }
        var printed = 0
        while count.map({ printed < $0 }) ?? true, let inbound = await subscriber.next() {
            print(json ? Self.jsonLine(inbound) : Self.textLine(inbound))
            fflush(stdout)
            subscriber.markDone(inbound)
            printed += 1
        }
        stopper?.cancel()
        consumer.close()
    }

    static func textLine(_ inbound: InboundEnvelope) -> String {
        let envelope = inbound.envelope
        return "\(RFC3339.format(unixMicros: envelope.timeUnixMicros, fractionDigits: 3)) \(envelope.type) id=\(envelope.id) "
            + "correlation=\(envelope.correlationID) subject=\(envelope.subject) signer=\(inbound.opened.signer.principal) "
            + "at=\(inbound.message.topic)[\(inbound.message.partition)]@\(inbound.message.offset)"
    }

    static func jsonLine(_ inbound: InboundEnvelope) -> String {
        let envelope = inbound.envelope
        let fields: [String: String] = [
            "id": envelope.id, "type": envelope.type, "source": envelope.source, "subject": envelope.subject,
            "correlation_id": envelope.correlationID, "causation_id": envelope.causationID,
            "time": RFC3339.format(unixMicros: envelope.timeUnixMicros), "signer": inbound.opened.signer.principal,
            "key_id": inbound.opened.signer.keyId, "topic": inbound.message.topic,
            "partition": String(inbound.message.partition), "offset": String(inbound.message.offset),
        ]
        let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
