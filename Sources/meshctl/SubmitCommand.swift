import ArgumentParser
import Foundation
import MeshCatalog
import MeshOps
import MeshCLI
import MeshLogging
import MeshSigning
import MeshTracing
import MeshTransport
import MeshWire

struct SubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Submit an objective file; optionally follow it until it completes or fails.",
        discussion: """
            Reads an objective file (see Objectives/README.md), publishes an ObjectiveSubmitted
            signed with the meshctl key to mesh.objectives and prints its correlation id (the
            objective id: the file's `id`, else a fresh one). With --wait it then prints one line
            per event of the objective (plan, assignments, results, verdicts with findings,
            approval requests and decisions, status changes) and the compiled result.

            Exit status with --wait: 0 completed, 1 failed, 2 still running at --timeout.
            --dry-run checks the file and prints the objective without connecting.
            """)

    @Argument(help: ArgumentHelp("Objective file (YAML).", valueName: "file")) var file: String
    @Flag(help: "Follow the objective until it completes or fails.") var wait = false
    @Option(help: "With --wait: give up after this many seconds.") var timeout: Double = 600
    @Flag(help: "With --wait: also print the orchestrator's plan-level notes.") var notes = false
    @Option(name: .customLong("submitted-by"), help: "Who submits. Default: $AGENTMESH_OPERATOR, else $USER.")
    var submittedBy: String?
    @Flag(name: .customLong("dry-run"), help: "Check the file and print the objective; publish nothing.")
    var dryRun = false
    @OptionGroup var connection: ConnectionOptions
    /// For --wait: the task topics to follow (the assignments are not shown without it).
    @OptionGroup var catalog: CatalogOptions

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    func run() async throws {
        MeshLogging.bootstrap(role: MeshRoles.meshctl, level: .warning)
        let objective: ObjectiveFile
        do {
            objective = try ObjectiveFile.load(path: file)
        } catch let error as ObjectiveFileError {
            opsWarn(error.description)
            throw ExitCode(65)
        }
        let correlationID = objective.id ?? Envelope.makeID()
        let payload = objective.payload(objectiveID: correlationID, submittedBy: submittedBy ?? OpsMeshClient.operatorName)
        if dryRun {
            opsPrint("objective \(correlationID): \"\(payload.title)\" playbook \(payload.playbook), "
                     + "\(payload.parameters.count) parameter(s), \(payload.inputs.count) input(s) — not submitted (--dry-run)")
            return
        }
        let client = try OpsMeshClient(connection: connection, label: "meshctl.submit")
        let envelope = try await Self.submit(payload, client: client)
        if !wait {
            opsPrint(correlationID)
            return
        }
        opsPrint("submitted objective \(correlationID) (envelope \(envelope.id)); following it (Ctrl-C stops following, not the objective)")
        let follower = ObjectiveFollower(client: client, correlationID: correlationID, catalog: try? catalog.load())
        follower.showPlanNotes = notes
        let outcome = try await follower.follow(timeout: .milliseconds(Int64(timeout * 1000)))
        if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
    }

    /// Publishes `objective` to mesh.objectives as meshctl; returns the envelope sent.
    @discardableResult
    static func submit(_ objective: ObjectiveSubmitted, client: OpsMeshClient) async throws -> Envelope {
        let publisher = try client.publisher(as: MeshRoles.meshctl)
        defer { publisher.producer.close() }
        let envelope = Envelope.operatorRoot(objectiveID: objective.objectiveID, payload: .objectiveSubmitted(objective))
        try await publisher.publishRoot(envelope, to: MeshTopics.objectives)
        return envelope
    }
}

struct CancelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel",
        abstract: "Ask the orchestrator to cancel an objective.",
        discussion: """
            Publishes an ObjectiveCancelRequested signed with the meshctl key to mesh.objectives.
            The orchestrator decides what is still cancellable and fails the plan as canceled;
            follow it with `meshctl status <correlation id>`.
            """)

    @Argument(help: ArgumentHelp("The objective's correlation id.", valueName: "correlation-id")) var correlationID: String
    @Option(help: "Why, for the audit trail.") var reason: String
    @Option(name: .customLong("requested-by"), help: "Who asks. Default: $AGENTMESH_OPERATOR, else $USER.")
    var requestedBy: String?
    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reason must not be empty") }
        guard !correlationID.isEmpty else { throw ValidationError("give the objective's correlation id") }
    }

    func run() async throws {
        MeshLogging.bootstrap(role: MeshRoles.meshctl, level: .warning)
        let client = try OpsMeshClient(connection: connection, label: "meshctl.cancel")
        let publisher = try client.publisher(as: MeshRoles.meshctl)
        defer { publisher.producer.close() }
        let request = ObjectiveCancelRequested(objectiveID: correlationID, requestedBy: requestedBy ?? OpsMeshClient.operatorName,
                                               reason: reason)
        let envelope = Envelope.operatorRoot(objectiveID: correlationID, payload: .objectiveCancelRequested(request))
        try await publisher.publishRoot(envelope, to: MeshTopics.objectives)
        opsPrint("cancel requested for \(correlationID) (envelope \(envelope.id))")
    }
}

extension Envelope {
    /// An operator's envelope about objective `objectiveID` (a submission, a cancel request),
    /// with the objective's trace context, which every envelope caused by it continues.
    static func operatorRoot(objectiveID: String, payload: Payload) -> Envelope {
        let id = Envelope.makeID()
        return Envelope(id: id, source: OpsMeshClient.operatorSource, correlationID: objectiveID, subject: objectiveID,
                        traceparent: TraceContext.root(envelope: id, correlationID: objectiveID).traceparent, payload: payload)
    }
}

extension MeshPublisher {
    /// Publishes root envelope `envelope` (it starts its objective's trace) and, when the
    /// `OTEL_*` environment turns tracing on, exports the trace's root span: sending it, until
    /// the broker acknowledged it.
    func publishRoot(_ envelope: Envelope, to topic: String) async throws {
        let tracing = try TracingExport.fromEnvironment(serviceName: MeshRoles.meshctl)
        guard let tracing else {
            try await publish(envelope, to: topic)
            return
        }
        let spans = MessagingSpans(tracer: tracing.tracer, role: MeshRoles.meshctl, instance: ProcessInfo.processInfo.hostName)
        let span = spans.startRootSend(envelope, topic: topic)
        do {
            let report = try await publish(envelope, to: topic)
            MessagingSpans.acknowledged(span, partition: report.partition, offset: report.offset)
        } catch {
            MessagingSpans.failed(span, "\(error)")
            await tracing.shutdown()
            throw error
        }
        await tracing.shutdown()
    }
}
