import ArgumentParser
import Foundation
import Logging
import MeshCLI
import MeshCatalog
import MeshKafka
import MeshLogging
import MeshTransport
import MeshWire

struct DeadLettersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deadletters",
        abstract: "List dead-lettered messages and send chosen ones back once their cause is fixed.",
        subcommands: [List.self, Redrive.self])

    /// One record of the dead-letter topic with its headers read.
    struct Letter {
        var message: ConsumedMessage
        var header: (String) -> String?

        init(_ message: ConsumedMessage) {
            self.message = message
            let headers = message.headers.all
            header = { key in headers.string(key) }
        }

        var id: String { "\(message.partition):\(message.offset)" }
        var reason: String { header(DeadLetterHeader.reason) ?? "?" }
        var sourceTopic: String? { header(DeadLetterHeader.sourceTopic) }
        var source: String {
            "\(sourceTopic ?? "?")[\(header(DeadLetterHeader.sourcePartition) ?? "?")]@\(header(DeadLetterHeader.sourceOffset) ?? "?")"
        }

        var fields: [String: String] {
            [
                "id": id, "reason": reason, "source": source, "attempts": header(DeadLetterHeader.attempts) ?? "",
                "role": header(DeadLetterHeader.role) ?? "", "time": header(DeadLetterHeader.time) ?? "",
                "type": header("ce_type") ?? "", "envelope_id": header("ce_id") ?? "",
                "detail": header(DeadLetterHeader.detail) ?? "",
            ]
        }
    }

    static func letters(_ connection: ConnectionOptions, reason: String?) async throws -> [Letter] {
        MeshLogging.bootstrap(role: MeshRoles.meshctl, level: .warning)
        let records = try await TopicReader.readToEnd(
            MeshTopics.deadLetter, configuration: try connection.kafkaConfiguration(), logger: Logger(label: MeshRoles.meshctl))
        return records.map(Letter.init).filter { reason == nil || $0.reason == reason }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every dead letter: id (partition:offset), reason, where it came from, type, detail.")
        @Option(help: "Only this reason, e.g. handler-failed, bad-signature, unauthorized, malformed.") var reason: String?
        @Flag(help: "One JSON object per line.") var json = false
        @OptionGroup var connection: ConnectionOptions

        func run() async throws {
            let letters = try await DeadLettersCommand.letters(connection, reason: reason)
            for letter in letters {
                if json {
                    let data = try JSONSerialization.data(withJSONObject: letter.fields, options: [.sortedKeys])
                    print(String(decoding: data, as: UTF8.self))
                } else {
                    let f = letter.fields
                    print("\(f["id"]!)  \(f["reason"]!)  from \(f["source"]!)  \(f["type"]!)  attempts \(f["attempts"]!)  \(f["time"]!)")
                    print("    \(f["detail"]!)")
                }
            }
            if !json { print("\(letters.count) dead letter(s)") }
        }
    }

    struct Redrive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-publish chosen dead letters to the topic they came from, byte for byte.",
            discussion: """
                Choose by id (partition:offset, from `deadletters list`) and/or --reason. The original
                value, key and headers go back to the source topic, plus `agentmesh_redriven_from`;
                consumers verify them again like any record (a forged one is dead-lettered again). The
                redrive itself is recorded on mesh.operations for the audit trail.
                """)
        @Argument(help: "Dead letter ids (partition:offset).") var ids: [String] = []
        @Option(help: "Every dead letter with this reason.") var reason: String?
        @Flag(help: "Show what would be sent.") var dryRun = false
        @Option(help: "Why (kept in the audit trail).") var because = ""
        @OptionGroup var connection: ConnectionOptions

        func validate() throws {
            guard !ids.isEmpty || reason != nil else { throw ValidationError("name dead letter ids or pass --reason") }
        }

        func run() async throws {
            let chosen = try await DeadLettersCommand.letters(connection, reason: reason)
                .filter { ids.isEmpty || ids.contains($0.id) }
            let unknown = Set(ids).subtracting(chosen.map(\.id))
            guard unknown.isEmpty else { throw ValidationError("no dead letter \(unknown.sorted().joined(separator: ", "))") }
            guard !chosen.isEmpty else { throw ValidationError("no dead letters match") }
            let logger = Logger(label: MeshRoles.meshctl)
            let producer = try KafkaProducer(configuration: try connection.kafkaConfiguration(), logger: logger)
            defer { producer.close() }
            if !dryRun {
                // The operator action goes into the audit trail before anything is re-published.
                let record = Envelope(
                    source: SourcePath.make(role: MeshRoles.meshctl, instance: ProcessInfo.processInfo.environment["USER"] ?? "operator"),
                    correlationID: "redrive-\(Envelope.makeID())",
                    payload: .replayRequested(ReplayRequested(
                        replayID: Envelope.makeID(), objectiveID: "", requestedBy: ProcessInfo.processInfo.environment["USER"] ?? "",
                        mode: "redrive", targetTopic: Set(chosen.compactMap(\.sourceTopic)).sorted().joined(separator: ","),
                        envelopeCount: UInt32(chosen.count), reason: because)))
                try await MeshPublisher(producer: producer, sealer: try connection.sealer(as: MeshRoles.meshctl))
                    .publish(record, to: MeshTopics.operations)
            }
            for letter in chosen {
                guard let topic = letter.sourceTopic else {
                    print("skipped \(letter.id): no source topic header")
                    continue
                }
                if let size = letter.message.headers.string(DeadLetterHeader.droppedValueBytes) {
                    print("skipped \(letter.id): its \(size)-byte value was too large to keep; the original is at "
                          + "\(topic)[\(letter.message.headers.string(DeadLetterHeader.sourcePartition) ?? "?")]"
                          + "@\(letter.message.headers.string(DeadLetterHeader.sourceOffset) ?? "?") and in the audit store")
                    continue
                }
                var headers = letter.message.headers.all.filter { !$0.key.hasPrefix("dlq_") }
                headers.append(KafkaHeader(key: "agentmesh_redriven_from", string: "\(MeshTopics.deadLetter)[\(letter.message.partition)]@\(letter.message.offset)"))
                if dryRun {
                    print("would send \(letter.id) (\(letter.reason)) back to \(topic)")
                    continue
                }
                // The original key travels in a header (dead letters are unkeyed); letters written
                // before that carried it as their own key.
                let key = letter.message.headers.all.last { $0.key == DeadLetterHeader.sourceKey }?.value ?? letter.message.key
                let report = try await producer.send(OutgoingMessage(
                    topic: topic, key: key, value: letter.message.value, headers: headers))
                print("sent \(letter.id) (\(letter.reason)) back to \(report.topic)[\(report.partition)]@\(report.offset)")
            }
        }
    }
}
