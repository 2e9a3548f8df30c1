import ArgumentParser
import Foundation
import Logging
import MeshAudit
import MeshAuditIngest
import MeshCLI
import MeshCatalog
import MeshKafka
import MeshLogging
import MeshOrchestration
import MeshSigning
import MeshTransport
import MeshWire

struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay a recorded objective, or rebuild and check its orchestration.",
        discussion: """
            Reads every record of one objective (correlation id) from the audit
            store, in audit sequence order, and does exactly one of:

            --dry-run: list what would be re-published (sequence, topic, type,
            envelope id, time) in recorded order.

            --to <topic>: re-publish the stored values byte for byte (signatures
            still verify) to one side topic, keyed by the correlation id, in
            recorded order; a missing topic is created with one partition.
            For investigations, demos and test consumers. Mesh topics are
            refused: use --into-mesh.

            --into-mesh: re-publish each record to its original topic. For
            consumers that lost or never had state (a new projection, a rebuilt
            downstream store, a role restored from backup). Mesh consumers drop
            envelope ids they already handled, so consumers that saw a record
            ignore it and only the others act; the audit sink stores nothing new
            (same envelope ids). The orchestrator changelog is left out: old
            snapshots could roll a live orchestrator back. Caution: a role that
            lost its own deduplication state acts again (an orchestrator that no
            longer knows the objective plans it anew).

            --rebuild: deterministic replay. The orchestrator's snapshots give
            the order in which it applied events; each named input is stamped
            from its stored bytes and folded through the orchestrator with the
            playbooks of --playbooks; state and outputs are compared with the
            log. Prints "rebuild matches: ..." or the first diverging event.
            Exit status 1 on divergence, 2 when a named event is missing.
            The store is verified first (chain, checkpoints, every envelope's
            signatures, index consistency, as `meshctl audit verify`): a rebuild
            of a store that fails verification proves nothing, so it is refused
            unless --force, which rebuilds with a loud warning.

            Every replay, in every mode, is recorded first: a ReplayRequested
            envelope (who, why, which sequences, where to), signed with the
            meshctl key, on the catalog topic for replay records
            (mesh.operations). If it cannot be written, nothing is replayed.

            Re-published records carry the CloudEvents headers rebuilt from the
            envelope and agentmesh_replay_id, agentmesh_replay_source_topic,
            agentmesh_replay_source_partition, agentmesh_replay_source_offset,
            agentmesh_replay_audit_sequence. Records the audit sink rejected
            (bad signature) are never re-published into the mesh;
            --include-rejected adds them to --to and --dry-run.
            """)

    @Argument(help: "Correlation id of the objective to replay.")
    var correlationID: String

    @Option(help: ArgumentHelp(
        "Audit store: sqlite:PATH or postgresql://…[?schema=NAME]. Default: $AGENTMESH_AUDIT_STORE, else sqlite:<home>/audit.sqlite.",
        valueName: "url"))
    var store: String?

    @Option(help: "Why this replay is done (kept in the audit trail).")
    var reason = ""

    @Option(name: .customLong("requested-by"), help: "Who asks for the replay. Default: $USER.")
    var requestedBy: String?

    @Flag(name: .customLong("dry-run"), help: "List what would be re-published; publish only the replay record.")
    var dryRun = false

    @Option(name: .customLong("to"), help: ArgumentHelp("Re-publish byte for byte to this side topic.", valueName: "topic"))
    var sideTopic: String?

    @Flag(name: .customLong("into-mesh"), help: "Re-publish each record to its original topic.")
    var intoMesh = false

    @Flag(help: "Rebuild the orchestration from the recorded inputs and compare with the log.")
    var rebuild = false

    @Option(help: ArgumentHelp("Playbook folder for --rebuild.", valueName: "dir"))
    var playbooks = "Playbooks"

    @Flag(help: "With --rebuild: rebuild even when the audit store fails verification (the result then proves nothing).")
    var force = false

    @Flag(name: .customLong("include-rejected"), help: "Include records the audit sink rejected (--to and --dry-run only).")
    var includeRejected = false

    @Option(name: .customLong("side-topic-replication"), help: "Replication factor when --to creates its topic.")
    var sideTopicReplication = 1

    @OptionGroup var catalog: CatalogOptions
    @OptionGroup var connection: ConnectionOptions

    var mode: ReplayMode {
        if rebuild { return .rebuild }
        if intoMesh { return .mesh }
        if sideTopic != nil { return .sideTopic }
        return .dryRun
    }

    func validate() throws {
        let chosen = [dryRun, sideTopic != nil, intoMesh, rebuild].filter { $0 }.count
        guard chosen == 1 else {
            throw ValidationError("choose exactly one of --dry-run, --to <topic>, --into-mesh, --rebuild")
        }
        if let sideTopic, sideTopic.isEmpty { throw ValidationError("--to needs a topic name") }
        if includeRejected, intoMesh || rebuild {
            throw ValidationError("--include-rejected applies to --to and --dry-run only")
        }
        if sideTopicReplication < 1 { throw ValidationError("--side-topic-replication must be at least 1") }
    }

    func run() async throws {
        MeshLogging.bootstrap(role: MeshRoles.meshctl, level: .warning)
        let logger = Logger(label: "meshctl.replay")
        let mode = self.mode
        do {
            try await replay(mode: mode, logger: logger)
        } catch let error as ReplayError {
            throw ReplayFailure(message: error.description)
        }
    }

    private func replay(mode: ReplayMode, logger: Logger) async throws {
        // 1. What the store holds.
        let location = try AuditStoreLocation.resolve(store, home: connection.environment.home)
        let auditStore: AuditStore
        do { auditStore = try location.openForReading() } catch {
            throw ReplayError.storeUnreachable(store: location.description, reason: "\(error)")
        }
        if mode == .rebuild { try verifyBeforeRebuild(auditStore, location: location) }
        let objective = try RecordedObjective(correlationID: correlationID, store: auditStore, storeName: location.description)

        // 2. Checks that need no broker, so a request that cannot be carried out is refused
        //    before anything is recorded.
        let topics = try catalog.load()
        let operationsTopic = topics.topics(for: RecordedObjective.replayRequestedType, producedBy: MeshRoles.meshctl).first?.name
            ?? MeshTopics.operations
        if let sideTopic, topics.topic(named: sideTopic) != nil {
            throw ValidationError(
                "--to \(sideTopic) is a mesh topic of the catalog; choose a side topic, or use --into-mesh to re-publish to the original topics")
        }
        var orchestrator: Orchestrator?
        if mode == .rebuild {
            guard objective.records.contains(where: { $0.input.type == PayloadKind.orchestratorSnapshot.rawValue }) else {
                throw ReplayError.noSnapshots(correlationID: correlationID)
            }
            let folder = URL(fileURLWithPath: playbooks, isDirectory: true)
            guard FileManager.default.fileExists(atPath: folder.path) else {
                throw ValidationError("no playbooks at \(folder.path): run from the repository root or pass --playbooks <dir>")
            }
            orchestrator = Orchestrator(playbooks: try PlaybookLibrary.load(directory: folder, agentRoles: topics.agentRoles))
        }
        let selected: [AuditRecord]
        switch mode {
        case .rebuild: selected = objective.flowRecords
        case .dryRun: selected = objective.selection(for: .sideTopic, includeRejected: includeRejected)
        case .sideTopic, .mesh: selected = objective.selection(for: mode, includeRejected: includeRejected)
        }
        guard !selected.isEmpty else {
            throw ReplayError.nothingToReplay(
                correlationID: correlationID,
                detail: "all \(objective.records.count) records are excluded (replay records or rejected by the sink)")
        }

        // 3. The replay record, before anything else happens.
        let configuration = try connection.kafkaConfiguration()
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        defer { producer.close() }
        let publisher = MeshPublisher(producer: producer, sealer: try connection.sealer(as: MeshRoles.meshctl))
        let who = requestedBy ?? ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.environment["LOGNAME"] ?? "unknown"
        let replayID = Envelope.makeID()
        let range = selected.sequenceRange
        let request = ReplayRequested(
            replayID: replayID, objectiveID: correlationID, requestedBy: who, mode: mode.rawValue,
            targetTopic: sideTopic ?? "", firstSequence: UInt64(max(0, range.first)), lastSequence: UInt64(max(0, range.last)),
            envelopeCount: UInt32(clamping: selected.count), reason: reason)
        let envelope = Envelope(
            source: SourcePath.make(role: MeshRoles.meshctl, instance: Self.instance(who)), correlationID: correlationID,
            subject: replayID, payload: .replayRequested(request))
        let delivery: DeliveryReport
        do {
            delivery = try await publisher.publish(envelope, to: operationsTopic)
        } catch {
            throw ReplayFailure(message: "could not record the replay request on \(operationsTopic): \(error); nothing was replayed")
        }
        print("replay \(replayID) of \(correlationID) (\(mode.rawValue)) requested by \(who): recorded on "
              + "\(delivery.topic)[\(delivery.partition)]@\(delivery.offset) as envelope \(envelope.id)")
        print("store \(location): \(objective.records.count) records, \(selected.count) selected, "
              + "sequences \(range.first)...\(range.last)")

        // 4. The replay itself.
        switch mode {
        case .dryRun:
            ReplayListing.print(objective: objective, selected: selected, mode: .sideTopic, includeRejected: includeRejected)
        case .sideTopic, .mesh:
            let target = sideTopic
            if let target { try ensureSideTopic(target, configuration: configuration, logger: logger) }
            ReplayListing.printExclusions(objective: objective, mode: mode, includeRejected: includeRejected)
            let sent = try await ReplayPublishing.republish(
                selected, replayID: replayID, correlationID: correlationID, to: target, producer: producer)
            print("replayed \(sent) envelopes of \(correlationID) to \(target ?? "their original topics") (replay \(replayID))")
        case .rebuild:
            let result = try ReplayRebuild(orchestrator: orchestrator!, catalog: topics).run(objective)
            for record in result.unverified {
                print("note: sequence \(record.sequence) (\(record.input.type) on \(record.input.kafka.topic)) was rejected "
                      + "by the audit sink (\(record.input.verification.reason ?? "")); left out")
            }
            for record in result.undecodable {
                print("note: sequence \(record.sequence) (\(record.input.kafka.topic)) is not a decodable envelope; left out")
            }
            switch result.failure {
            case nil:
                print("rebuild matches: \(result.events) events, \(result.outputs) outputs "
                      + "(\(result.snapshots) snapshots), final outcome \(result.outcomeText)")
            case .missingEvent?:
                print("rebuild incomplete after \(result.events) events: \(result.failure!)")
                throw ExitCode(2)
            case .some(let failure):
                print("rebuild diverges after \(result.events) matching events, \(result.outputs) outputs: \(failure)")
                throw ExitCode(1)
            }
        }
    }

    /// Creates the side topic with one partition if it does not exist. The embedded broker has
    /// no CreateTopics API and creates topics on first use instead; either way every replayed
    /// record has the same key, so they land in one partition in recorded order.
    private func ensureSideTopic(_ topic: String, configuration: KafkaConfiguration, logger: Logger) throws {
        let admin = try KafkaAdmin(configuration: configuration, logger: logger)
        if try admin.describeTopics().contains(where: { $0.name == topic }) { return }
        let environment = ProcessInfo.processInfo.environment
        if connection.bootstrap == nil, environment["AGENTMESH_BOOTSTRAP"] == nil,
           connection.environment.runningBrokerPID() != nil {
            print("side topic \(topic) does not exist; the embedded broker creates it on first use")
            return
        }
        let outcome = try admin.createTopics([NewTopic(name: topic, partitions: 1, replicationFactor: sideTopicReplication)])
        if case .failed(let error)? = outcome[topic] {
            throw ReplayFailure(message: "could not create side topic \(topic): \(error)")
        }
    }

    /// A source instance from a free-form name: letters, digits, '.', '_', '-' only.
    static func instance(_ who: String) -> String {
        let cleaned = String(who.unicodeScalars.map { scalar -> Character in
            let allowed = CharacterSet.alphanumerics.contains(scalar) && scalar.isASCII || "._-".unicodeScalars.contains(scalar)
            return allowed ? Character(scalar) : "-"
        })
        return cleaned.isEmpty ? "unknown" : cleaned
    }
}

/// A replay failure with its message; printed by ArgumentParser as `Error: <message>`.
extension ReplayCommand {
    /// A rebuild reads the stored envelopes and their stored verification status; if the
    /// store does not verify, those may not be what the mesh did.
    func verifyBeforeRebuild(_ store: AuditStore, location: AuditStoreLocation) throws {
        let keys = connection.environment.keysDirectory.path
        let report = try AuditVerifier.verify(
            store, trust: try KeyRingStore.loadCheckpointTrust(trustFile: KeyRingStore.trustFile(in: keys)),
            envelopes: StoredEnvelopeRecheck(trust: try KeyRingStore.loadTrustStore(from: keys),
                                             authorize: AuditCatalogAuthorization.check(catalog)))
        guard !report.isValid else { return }
        let problem = "the audit store \(location) does not verify: \(report.summary)"
        guard force else {
            throw ReplayFailure(message: "refusing to rebuild: \(problem). Run `meshctl audit verify --anchor …` to see what "
                + "is wrong; pass --force to rebuild anyway (the result then proves nothing about what the mesh did)")
        }
        FileHandle.standardError.write(Data((
            "WARNING: \(problem)\nWARNING: rebuilding anyway (--force): the stored records may not be what the mesh did, "
            + "so a match proves nothing\n").utf8))
    }
}

struct ReplayFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
