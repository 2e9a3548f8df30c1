import ArgumentParser
import Foundation
import Logging
import MeshCLI
import MeshCatalog
import MeshKafka
import MeshLogging

struct TopicsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics",
        abstract: "Show, check and apply the topic catalog.",
        subcommands: [List.self, Check.self, Apply.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print every topic of the catalog.")
        @OptionGroup var catalog: CatalogOptions
        @Flag(help: "Print Markdown documentation instead of a table.") var markdown = false

        func run() async throws {
            let loaded = try catalog.load()
            print(markdown ? CatalogRenderer.markdown(loaded) : CatalogRenderer.table(loaded))
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate the catalog; exits non-zero naming file, line and field of each problem.")
        @OptionGroup var catalog: CatalogOptions

        func run() async throws {
            let loaded = try catalog.load()
            for warning in loaded.warnings { print("warning: \(warning)") }
            print("catalog OK: \(loaded.topics.count) topics, \(loaded.roles.count) roles")
        }
    }

    struct Apply: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the catalog's missing topics on a cluster (CreateTopics API).",
            discussion: """
                Idempotent: topics that exist are left alone. A topic that exists with a different
                partition count is reported, not changed (Kafka cannot shrink partitions, and
                growing them breaks key ordering). The embedded broker has no CreateTopics API;
                `meshctl broker` creates the topics itself, so apply there only checks them.
                """)
        @OptionGroup var catalog: CatalogOptions
        @OptionGroup var connection: ConnectionOptions
        @Flag(help: "Show what would be created without creating it.") var dryRun = false

        func run() async throws {
            MeshLogging.bootstrap(role: MeshRoles.meshctl, level: .warning)
            let loaded = try catalog.load()
            let admin = try KafkaAdmin(configuration: connection.kafkaConfiguration(), logger: Logger(label: MeshRoles.meshctl))
            let existing = Dictionary(uniqueKeysWithValues: try admin.describeTopics().map { ($0.name, $0.partitions) })
            var missing: [TopicCreationSpec] = []
            var mismatched = 0
            // A smaller cluster (a single-node Compose Kafka) gets replication and min ISR capped.
            for spec in loaded.creationSpecs(brokerCount: try admin.brokerCount()) {
                switch existing[spec.name] {
                case nil: missing.append(spec)
                case spec.partitions?: print("ok       \(spec.name) (\(spec.partitions) partitions)")
                case let actual?:
                    mismatched += 1
                    print("MISMATCH \(spec.name): cluster has \(actual) partitions, catalog declares \(spec.partitions)")
                }
            }
            if dryRun {
                missing.forEach { print("would create \($0.name) (\($0.partitions) partitions, rf \($0.replicationFactor))") }
            } else if !missing.isEmpty {
                let outcomes = try admin.createTopics(missing.map {
                    NewTopic(name: $0.name, partitions: $0.partitions, replicationFactor: $0.replicationFactor, configs: $0.configs)
                })
                var failed = 0
                for spec in missing {
                    switch outcomes[spec.name] {
                    case .created?: print("created  \(spec.name) (\(spec.partitions) partitions)")
                    case .alreadyExists?: print("ok       \(spec.name) (created meanwhile)")
                    case .failed(let error)?:
                        failed += 1
                        print("FAILED   \(spec.name): \(error)")
                    case nil:
                        failed += 1
                        print("FAILED   \(spec.name): no answer from the cluster")
                    }
                }
                if failed > 0 { throw ExitCode(1) }
            }
            if mismatched > 0 { throw ExitCode(2) }
        }
    }
}
