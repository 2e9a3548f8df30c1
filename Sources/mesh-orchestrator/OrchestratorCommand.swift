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
            Consumes objectives, task results, verdicts and approval decisions (the
            catalog's co-partitioned orchestrator inputs), runs the deterministic plan
            state machine, and publishes plans, task assignments and approval requests.
            After each event that changes a plan it writes a signed snapshot to the
            changelog topic; on start-up and after a rebalance it restores its plans from
            there, so a plan in flight survives restarts. Run several replicas to split
            the objectives by partition.

            Finished plans (completed, failed, canceled) are only kept to ignore late and
            redelivered events, so they leave memory after --finished-retention seconds,
            or sooner, oldest first, beyond --max-finished-plans. The ids of the latest
            --remembered-evicted-ids evicted objectives are kept, so a repeated
            submission of one is still ignored (an older one would run again). A restart
            reloads finished plans from the changelog and keeps them one more retention
            period.
            """)

    @Option(help: ArgumentHelp("Playbook folder.", valueName: "dir")) var playbooks = "Playbooks"
    @Option(name: .customLong("finished-retention"), help: ArgumentHelp(
        "Seconds a finished plan stays in memory after the event that finished it.", valueName: "seconds"))
    var finishedRetention = Double(PlanRetention.standard.maxAgeMicros) / 1_000_000
    @Option(name: .customLong("max-finished-plans"), help: ArgumentHelp(
        "Finished plans kept in memory at most (a few KiB each); the oldest leave first.", valueName: "count"))
    var maxFinishedPlans = PlanRetention.standard.maxFinishedPlans
    @Option(name: .customLong("remembered-evicted-ids"), help: ArgumentHelp(
        "Objective ids of evicted plans remembered (about 100 bytes each), so their resubmission is ignored.",
        valueName: "count"))
    var rememberedEvictedIDs = PlanRetention.standard.rememberedIDs
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var catalog: CatalogOptions
    @OptionGroup var options: RoleOptions

    func validate() throws {
        guard finishedRetention >= 0, finishedRetention.isFinite else {
            throw ValidationError("--finished-retention must be 0 or more seconds")
        }
        guard maxFinishedPlans >= 0 else { throw ValidationError("--max-finished-plans must be 0 or more") }
        guard rememberedEvictedIDs >= 0 else { throw ValidationError("--remembered-evicted-ids must be 0 or more") }
    }

    private var retention: PlanRetention {
        PlanRetention(
            maxAgeMicros: Int64(min(finishedRetention, 1e12) * 1_000_000), maxFinishedPlans: maxFinishedPlans,
            rememberedIDs: rememberedEvictedIDs)
    }

    func run() async throws {
        MeshLogging.bootstrap(role: MeshRoles.orchestrator)
        ProcessMetrics.bootstrap()
        let logger = Logger(label: MeshRoles.orchestrator)
        let loaded = try catalog.load()
        let library = try PlaybookLibrary.load(
            directory: URL(fileURLWithPath: playbooks, isDirectory: true), agentRoles: loaded.agentRoles)
        let changelog = MeshTopics.changelog
        let handler = try OrchestratorRoleHandler(
            orchestrator: Orchestrator(playbooks: library), catalog: loaded,
            trust: KeyRingStore.loadTrustStore(from: connection.keysDirectory),
            opener: connection.opener(), kafka: connection.kafkaConfiguration(), changelogTopic: changelog, retention: retention,
            logger: logger)
        let inputs = loaded.orchestratorInputs.map(\.name).filter { $0 != changelog }
        let worker = try RoleProcess.worker(
            role: MeshRoles.orchestrator, topics: inputs, handler: handler, handlerKind: "playbooks", connection: connection, catalog: loaded, options: options,
            tickInterval: .seconds(1), logger: logger)
        logger.info("playbooks loaded: \(library.names.joined(separator: ", "))")
        await RoleProcess.run(worker, options: options, logger: logger)
    }
}
