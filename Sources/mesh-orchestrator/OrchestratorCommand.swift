import ArgumentParser
import Foundation
import Logging
import MeshCLI
import MeshCatalog
import MeshLogging
import MeshOrchestration
import MeshRuntime
import MeshSigning

@main
struct OrchestratorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mesh-orchestrator",
        abstract: "Expands objectives into task plans and drives them to completion.",
        discussion: """
            Consumes objectives, task results, verdicts and approval decisions (the catalog's
            co-partitioned orchestrator inputs), runs the deterministic plan state machine, and
            publishes plans, task assignments and approval requests. After each event that changes
            a plan it writes a signed snapshot to the changelog topic; on start-up and after a
            rebalance it restores its plans from there, so a plan in flight survives restarts.
            Run several replicas to split the objectives by partition.
            """)

    @Option(help: ArgumentHelp("Playbook folder.", valueName: "dir")) var playbooks = "Playbooks"
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var catalog: CatalogOptions
    @OptionGroup var options: RoleOptions

    func run() async throws {
        MeshLogging.bootstrap(role: "orchestrator")
        let logger = Logger(label: "orchestrator")
        let loaded = try catalog.load()
        let library = try PlaybookLibrary.load(directory: URL(fileURLWithPath: playbooks, isDirectory: true))
        let changelog = Output.Destination.changelog.topic
        let handler = try OrchestratorRoleHandler(
            orchestrator: Orchestrator(playbooks: library), trust: KeyRingStore.loadTrustStore(from: connection.keysDirectory),
            opener: connection.opener(), kafka: connection.kafkaConfiguration(), changelogTopic: changelog, logger: logger)
        let inputs = loaded.orchestratorInputs.map(\.name).filter { $0 != changelog }
        let worker = try RoleProcess.worker(
            role: "orchestrator", topics: inputs, handler: handler, connection: connection, catalog: loaded, options: options,
            tickInterval: .seconds(1), logger: logger)
        logger.info("playbooks loaded: \(library.names.joined(separator: ", "))")
        await RoleProcess.run(worker, options: options, logger: logger)
    }
}
