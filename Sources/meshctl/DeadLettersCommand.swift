import ArgumentParser
import Foundation
import Logging
import MeshCLI
import MeshCatalog
import MeshKafka
import MeshLogging
import MeshOps
import MeshTransport
import MeshWire

struct DeadLettersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deadletters",
        abstract: "List dead-lettered messages and send chosen ones back once their cause is fixed.",
        subcommands: [List.self, Redrive.self])

    static func letters(_ connection: ConnectionOptions, reason: String?) async throws -> [DeadLetter] {
        MeshLogging.bootstrap(role: MeshRoles.meshctl, level: .warning)
        return try await DeadLetterDesk.letters(
            configuration: try connection.kafkaConfiguration(), reason: reason, logger: Logger(label: MeshRoles.meshctl))
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
            let person = ProcessInfo.processInfo.environment["USER"] ?? ""
            let outcomes = try await DeadLetterDesk.redrive(
                chosen, by: person, source: SourcePath.make(role: MeshRoles.meshctl, instance: person.isEmpty ? "operator" : person),
                reason: because, publisher: MeshPublisher(producer: producer, sealer: try connection.sealer(as: MeshRoles.meshctl)),
                producer: producer, dryRun: dryRun)
            outcomes.forEach { print($0.line) }
        }
    }
}
