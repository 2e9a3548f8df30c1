import Foundation
import Logging
import MeshAudit
import MeshCatalog
import MeshKafka
import MeshOrchestration
import MeshSigning
import MeshTestSupport
import MeshTransport
import MeshWire
import XCTest

// Recorded objectives for the replay tests, made without running the mesh: the REAL
// orchestrator with the shipped playbooks is driven by synthetic agent results, verdicts
// and approval decisions; every envelope is sealed with the key of the role that emits it
// (key ring from `meshctl keys init`) and appended to an SQLite audit store the way the
// sink would: each input, then what the orchestrator emitted for it (snapshot included),
// in the order the orchestrator applied them.

/// Records objectives into one audit store.
final class ObjectiveRecorder {
    let orchestrator: Orchestrator
    let store: AuditStore
    let keysDirectory: String
    private var sealers: [String: EnvelopeSealer] = [:]
    /// Where the orchestrator's outputs go.
    let catalog: Catalog
    private var offsets: [String: Int64] = [:]
    var clock: Int64 = 1_767_225_600_000_000  // 2026-01-01T00:00:00Z

    /// Records into the store `open` makes (checkpoints signed with the audit-sink key).
    init(keysDirectory: String, open: (AuditStoreConfiguration) throws -> AuditStore) throws {
        self.keysDirectory = keysDirectory
        catalog = try CatalogLoader.load(directory: repositoryRoot().appendingPathComponent("Topics"))
        orchestrator = Orchestrator(playbooks: try PlaybookLibrary.load(
            directory: repositoryRoot().appendingPathComponent("Playbooks", isDirectory: true), agentRoles: catalog.agentRoles))
        store = try open(AuditStoreConfiguration(
            signer: try KeyRingStore.loadSigner(principal: "audit-sink", from: keysDirectory)))
    }

    /// Records into an SQLite file.
    convenience init(storePath: String, keysDirectory: String) throws {
        try self.init(keysDirectory: keysDirectory) { try SQLiteAuditStore(path: storePath, configuration: $0, durability: .normal) }
    }

    func sealer(_ principal: String) throws -> EnvelopeSealer {
        if let sealer = sealers[principal] { return sealer }
        let sealer = EnvelopeSealer(signer: try KeyRingStore.loadSigner(principal: principal, from: keysDirectory))
        sealers[principal] = sealer
        return sealer
    }

    /// Appends one sealed record as the sink would (one Kafka record, verified).
    func append(_ envelope: Envelope, sealed: [UInt8], topic: String, signer: EnvelopeSealer) throws {
        let offset = offsets[topic, default: 0]
        offsets[topic] = offset + 1
        let input = AuditRecordInput(
            raw: sealed, envelopeID: envelope.id, type: envelope.type, source: envelope.source, subject: envelope.subject,
            correlationID: envelope.correlationID, causationID: envelope.causationID, eventTimeMicros: envelope.timeUnixMicros,
            signerKeyID: signer.signer.metadata.keyId, signerPrincipal: signer.principal, verification: .verified,
            kafka: KafkaCoordinates(topic: topic, partition: 0, offset: offset, timestampMillis: envelope.timeUnixMicros / 1000))
        _ = try store.append([input])
    }

    func nextTime() -> Int64 {
        clock += 1_000_000
        return clock
    }
}

/// One objective being recorded.
final class RecordingObjective {
    let recorder: ObjectiveRecorder
    let correlationID: String
    var state = OrchestratorState()
    /// Applied input events, in order.
    private(set) var events: [Envelope] = []
    /// Every orchestrator output, in order, as computed (before any tampering).
    private(set) var outputs: [Output] = []
    /// Latest result envelope id per task.
    private(set) var resultIDs: [String: String] = [:]
    /// Decides what the log keeps of an orchestrator output: the envelope (possibly altered)
    /// or nil to leave it out. Lets tests make a log that the orchestrator did not write.
    var recordOutput: (Output) -> Envelope? = { $0.envelope }
    /// Input events applied by the orchestrator but left out of the log.
    var unrecordedEvents: Set<String> = []

    init(_ recorder: ObjectiveRecorder, correlationID: String) {
        self.recorder = recorder
        self.correlationID = correlationID
    }

    var plan: PlanState { state.plan(correlationID)! }
    func attempt(_ taskID: String) -> UInt32 { plan.task(taskID)!.attempt }

    /// Seals `envelope` as `signer`, logs it on `topic`, stamps it from its sealed bytes like
    /// the runtime, applies it, and logs every output (snapshots included).
    @discardableResult
    func apply(_ envelope: Envelope, topic: String, signer principal: String) throws -> [Output] {
        let sealer = try recorder.sealer(principal)
        let sealed = try sealer.seal(envelope)
        if !unrecordedEvents.contains(envelope.id) {
            try recorder.append(envelope, sealed: sealed, topic: topic, signer: sealer)
        }
        let stamped = try ResultDigest.stamp(sealed: try EnvelopeCodec().decodeSealed(sealed))
        let (next, emitted) = recorder.orchestrator.handleRecordingState(state, stamped)
        state = next
        events.append(envelope)
        outputs += emitted
        let orchestratorSealer = try recorder.sealer("orchestrator")
        for output in emitted {
            guard let logged = recordOutput(output) else { continue }
            try recorder.append(logged, sealed: try orchestratorSealer.seal(logged), topic: output.destination.topic(in: recorder.catalog)!,
                                signer: orchestratorSealer)
        }
        return emitted
    }

    func envelope(source: String, _ payload: Payload) -> Envelope {
        Envelope(source: source, correlationID: correlationID,
                 traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                 timeUnixMicros: recorder.nextTime(), payload: payload)
    }

    @discardableResult
    func submit(_ playbook: String) throws -> [Output] {
        try apply(envelope(source: "/mesh/meshctl/alice", .objectiveSubmitted(ObjectiveSubmitted(
            objectiveID: correlationID, title: "Show allergies on the chart header",
            description: "Patients' known allergies must be visible on every chart view.",
            playbook: playbook, submittedBy: "alice"))), topic: "mesh.objectives", signer: "meshctl")
    }

    @discardableResult
    func result(_ taskID: String, failed error: String? = nil) throws -> [Output] {
        let attempt = attempt(taskID)
        var result = envelope(source: "/mesh/coding/agent-1", .taskResult(TaskResult(
            taskID: taskID, planID: plan.planID, attempt: attempt, state: error == nil ? .completed : .failed,
            summary: error == nil ? "changed the header view" : "",
            artifacts: error == nil ? [Artifact(name: "patch.diff", mediaType: "text/x-diff",
                                                content: Array("patch v\(attempt)".utf8))] : [],
            error: error ?? "", agentID: "agent-1")))
        result.attributes = plan.task(taskID)!.spec.classification.attributes  // as the agent runtime copies it
        resultIDs[taskID] = result.id
        return try apply(result, topic: "mesh.results", signer: "coding")
    }

    @discardableResult
    func verdict(_ taskID: String, _ kind: VerdictKind, _ decision: Decision, findings: [Finding] = []) throws -> [Output] {
        let (role, instance) = kind == .review ? ("reviewer", "r-1") : ("compliance", "c-1")
        return try apply(envelope(source: "/mesh/\(role)/\(instance)", .verdict(Verdict(
            taskID: taskID, planID: plan.planID, attempt: attempt(taskID), kind: kind, decision: decision,
            findings: findings, resultEnvelopeID: resultIDs[taskID] ?? "", policyBundleHash: String(repeating: "ab", count: 32),
            reviewerID: instance))), topic: "mesh.verdicts", signer: role)
    }

    /// A person's decision on the pending approval, signed with their key.
    @discardableResult
    func decide(_ decision: Decision, by person: String) throws -> [Output] {
        let pending = try XCTUnwrap(plan.pendingApprovals.first)
        return try apply(envelope(source: "/mesh/approver/\(person)", .approvalDecision(ApprovalDecision(
            approvalID: pending.approvalID, decision: decision, signerID: person, printedName: "Bob Approver",
            meaning: decision == .approve ? "approved" : "rejected", signedAtUnixMicros: recorder.clock, reason: "reviewed",
            resultSHA256: pending.resultSHA256,
            signature: Signature(keyID: "\(person)-key", algorithm: .ed25519, signature: Array(repeating: 7, count: 64))))),
            topic: "mesh.approvals", signer: person)
    }

    /// Lets every pending approval expire: the orchestrator's timer output, published by it
    /// and consumed back like any decision.
    @discardableResult
    func expireApprovals() throws -> [Output] {
        let deadline = try XCTUnwrap(plan.pendingApprovals.first?.deadlineUnixMicros)
        var emitted: [Output] = []
        for expiry in Orchestrator.expiredApprovals(state, nowMicros: deadline) {
            emitted += try apply(expiry.envelope, topic: expiry.destination.topic(in: recorder.catalog)!, signer: "orchestrator")
        }
        return emitted
    }

    /// Passes the task's machine verdicts.
    func approveByMachines(_ taskID: String) throws {
        try verdict(taskID, .review, .approve)
        try verdict(taskID, .compliance, .approve)
    }

    var snapshotCount: Int { outputs.filter { $0.destination == .changelog }.count }
}

/// Scenarios shared by the replay tests. Each returns the finished objective.
extension ObjectiveRecorder {
    func completed(_ id: String = "obj-completed") throws -> RecordingObjective {
        let objective = RecordingObjective(self, correlationID: id)
        try objective.submit("single-task")
        try objective.result("code")
        try objective.approveByMachines("code")
        return objective
    }

    func reworked(_ id: String = "obj-reworked") throws -> RecordingObjective {
        let objective = RecordingObjective(self, correlationID: id)
        try objective.submit("single-task")
        try objective.result("code")
        try objective.verdict("code", .review, .requestChanges, findings: [
            Finding(ruleID: "phi-logging", severity: .medium, message: "patient name is logged", location: "patch.diff:12:5")])
        try objective.verdict("code", .compliance, .approve)
        try objective.result("code")
        try objective.approveByMachines("code")
        return objective
    }

    func rejected(_ id: String = "obj-rejected") throws -> RecordingObjective {
        let objective = RecordingObjective(self, correlationID: id)
        try objective.submit("single-task")
        try objective.result("code")
        try objective.verdict("code", .review, .approve)
        try objective.verdict("code", .compliance, .reject, findings: [
            Finding(ruleID: "secret-in-code", severity: .critical, message: "API key committed", location: "patch.diff:3:1")])
        return objective
    }

    func outOfBudget(_ id: String = "obj-budget") throws -> RecordingObjective {
        let objective = RecordingObjective(self, correlationID: id)
        try objective.submit("single-task")
        for _ in 0..<3 { try objective.result("code", failed: "swift build: 2 errors") }
        return objective
    }

    func approved(_ id: String = "obj-approved") throws -> RecordingObjective {
        let objective = RecordingObjective(self, correlationID: id)
        try objective.submit("approval")
        try objective.result("change")
        try objective.approveByMachines("change")
        try objective.decide(.approve, by: "bob")
        return objective
    }

    func expired(_ id: String = "obj-expired") throws -> RecordingObjective {
        let objective = RecordingObjective(self, correlationID: id)
        try objective.submit("approval")
        try objective.result("change")
        try objective.approveByMachines("change")
        try objective.expireApprovals()
        return objective
    }
}

/// A fresh home with a key ring (roles of the catalog plus person `bob`) and an audit store.
class ReplayTestCase: XCTestCase {
    var workspace: TemporaryDirectory!
    var broker: ChildProcess?

    var home: String { workspace.url.appendingPathComponent(".agentmesh").path }
    var storePath: String { home + "/audit.sqlite" }
    var catalogPath: String { repositoryRoot().appendingPathComponent("Topics").path }
    var playbooksPath: String { repositoryRoot().appendingPathComponent("Playbooks").path }

    override func setUp() async throws {
        workspace = try TemporaryDirectory("agentmesh-replay")
        let keys = try await meshctl(["keys", "init", "--catalog", catalogPath, "--home", home, "--people", "bob"])
        XCTAssertEqual(keys.status, 0, keys.stderr)
    }

    override func tearDown() async throws {
        broker?.stop()
        workspace?.remove()
    }

    func makeRecorder() throws -> ObjectiveRecorder {
        try ObjectiveRecorder(storePath: storePath, keysDirectory: home + "/keys")
    }

    func meshctl(_ arguments: [String], environment: [String: String] = [:]) async throws
        -> (status: Int32, stdout: String, stderr: String) {
        try await runToCompletion(try Executables.url("meshctl"), arguments, workingDirectory: workspace.url,
                                  environment: environment, timeout: .seconds(120))
    }

    /// `meshctl replay <id> <arguments>` against this home, store, catalog and playbooks.
    func replay(_ correlationID: String, _ arguments: [String], environment: [String: String] = ["USER": "carol"],
                storeFlag: Bool = true) async throws -> (status: Int32, stdout: String, stderr: String) {
        let hasStore = arguments.contains("--store")
        return try await meshctl(["replay", correlationID] + arguments
            + (storeFlag && !hasStore ? ["--store", "sqlite:\(storePath)"] : []) + [
            "--catalog", catalogPath, "--playbooks", playbooksPath, "--home", home,
        ], environment: environment)
    }

    func startBroker() async throws {
        broker = try ChildProcess(try Executables.url("meshctl"), ["broker", "--catalog", catalogPath, "--home", home],
                                  name: "broker", workingDirectory: workspace.url)
        try await eventually("the broker wrote its bootstrap file") {
            (try? KafkaConfiguration.loadProperties(file: self.home + "/broker.properties")) != nil
        }
    }

    /// Every record of `topic` (all partitions, from the beginning) once `count` arrived;
    /// then waits `settle` more for records that should not be there.
    func read(_ topic: String, count: Int, settle: Duration = .milliseconds(500)) async throws -> [ConsumedMessage] {
        try await readTopic(topic, home: home, count: count, settle: settle)
    }

    /// The replay records on mesh.operations, verified and decoded.
    func replayRequests(count: Int) async throws -> [(envelope: Envelope, request: ReplayRequested, signer: String)] {
        let opener = EnvelopeOpener(trust: try KeyRingStore.loadTrustStore(from: home + "/keys"))
        return try await read("mesh.operations", count: count).map { message in
            let opened = try opener.open(message.value).get()
            guard case .replayRequested(let request) = opened.envelope.payload else {
                throw HarnessError("not a replay request: \(opened.envelope.type)")
            }
            return (opened.envelope, request, opened.signer.principal)
        }
    }
}

/// Checks of the recorder itself (no broker): the log has what the orchestrator did.
final class ReplayRecorderTests: ReplayTestCase {
    func testTheRecorderLogsEveryEventAndOutputWithOneSnapshotPerAppliedEvent() throws {
        let recorder = try makeRecorder()
        let objective = try recorder.reworked()
        let records = try recorder.store.records(correlationID: objective.correlationID)
        XCTAssertEqual(records.count, objective.events.count + objective.outputs.count)
        XCTAssertEqual(objective.snapshotCount, objective.events.count, "every event of this objective changed the plan")
        XCTAssertEqual(objective.plan.outcome?.state, .completed)
        XCTAssertEqual(objective.plan.task("code")?.attempt, 2, "one rework")
        let snapshots = records.filter { $0.input.type == PayloadKind.orchestratorSnapshot.rawValue }
        XCTAssertEqual(snapshots.map(\.input.kafka.topic), Array(repeating: "mesh.orchestrator.changelog", count: snapshots.count))
    }
}

/// Reads every partition of `topic` from the start until `count` records arrived, then for
/// `settle` more (so extra records would show), through the broker of the mesh at `home`.
func readTopic(_ topic: String, home: String, count: Int, settle: Duration = .milliseconds(500)) async throws -> [ConsumedMessage] {
    let configuration = try MeshEnvironment(home: home).kafkaConfiguration()
    let logger = Logger(label: "test")
    let admin = try KafkaAdmin(configuration: configuration, logger: logger)
    let partitions = try XCTUnwrap(try admin.describeTopics().first { $0.name == topic }, "no topic \(topic)").partitions
    let consumer = try KafkaConsumer(
        configuration: configuration,
        subscription: .partitions((0..<partitions).map { TopicPartition(topic: topic, partition: Int32($0)) }),
        logger: logger)
    let gathered = Gathered<ConsumedMessage>()
    let reader = Task {
        for await message in consumer.messages { await gathered.append(message) }
    }
    try await eventually("\(count) records on \(topic)") { await gathered.count >= count }
    try await Task.sleep(for: settle)
    consumer.close()
    reader.cancel()
    return await gathered.values
}
