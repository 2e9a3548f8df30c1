import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import MeshKafka
import MeshOrchestration
import MeshSigning
import MeshTestSupport
import MeshTransport
import MeshWire
import XCTest

/// A whole mesh as separate processes on the embedded broker, for lifecycle tests: the
/// broker, a key ring (roles plus people `alice` and `bob`), role processes, and an
/// observer that reads every envelope of the mesh topics.
///
/// With `kafka: bootstrap` it runs on that (real) Kafka instead: no embedded broker, the
/// catalog's topics created with `meshctl topics apply`, every process pointed at it with
/// `AGENTMESH_BOOTSTRAP`. The topics and the roles' groups outlive the harness there, so a
/// test on a reused cluster tells its own records apart (unique ids) from earlier runs'.
final class MeshHarness: @unchecked Sendable {
    let workspace: TemporaryDirectory
    /// The embedded broker process; nil on a real Kafka.
    let broker: ChildProcess?
    /// The real Kafka's bootstrap servers; nil on the embedded broker.
    let kafka: String?
    private(set) var roles: [String: ChildProcess] = [:]
    let observed = Gathered<Envelope>()
    private var observer: KafkaConsumer?
    private var observerTask: Task<Void, Never>?
    private let producer: KafkaProducer
    let logger = Logger(label: "harness")
    var playbooks: String
    /// The topic catalog folder every process and `meshctl` is given.
    let catalog: String
    /// Added to the environment of every role process started from now on (`OTEL_*`, say).
    var roleEnvironment: [String: String] = [:]

    var home: String { workspace.url.appendingPathComponent(".agentmesh").path }
    var keys: String { home + "/keys" }
    static var root: URL { repositoryRoot() }

    init(playbooks: String = MeshHarness.root.appendingPathComponent("Playbooks").path, kafka: String? = nil,
         catalog: String = MeshHarness.root.appendingPathComponent("Topics").path) async throws {
        self.playbooks = playbooks
        self.kafka = kafka
        self.catalog = catalog
        workspace = try TemporaryDirectory("agentmesh-mesh")
        let home = workspace.url.appendingPathComponent(".agentmesh").path
        if let kafka {
            broker = nil
            let apply = try await runToCompletion(
                try Executables.url("meshctl"), ["topics", "apply", "--catalog", catalog, "--bootstrap", kafka, "--home", home],
                workingDirectory: workspace.url)
            guard apply.status == 0 else { throw HarnessError("topics apply on \(kafka) failed: \(apply.stdout)\(apply.stderr)") }
        } else {
            broker = try ChildProcess(
                try Executables.url("meshctl"), ["broker", "--catalog", catalog, "--home", home],
                name: "broker", workingDirectory: workspace.url)
            try await eventually("the broker is up") {
                FileManager.default.fileExists(atPath: home + "/broker.properties")
            }
        }
        let keys = try await runToCompletion(
            try Executables.url("meshctl"),
            ["keys", "init", "--catalog", catalog, "--home", home,
             "--people", "alice", "bob"],
            workingDirectory: workspace.url)
        guard keys.status == 0 else { throw HarnessError("keys init failed: \(keys.stderr)") }
        producer = try KafkaProducer(configuration: try Self.kafkaConfiguration(home: home, kafka: kafka), logger: logger)
        try startObserver()
    }

    /// Starts a role process; `name` must be unique (it is also the instance id).
    func start(_ name: String, _ executable: String, _ arguments: [String] = [], environment added: [String: String] = [:]) throws {
        let common = [
            "--home", home, "--catalog", catalog, "--instance", name,
            "--health-port", "0",
        ]
        var extra: [String] = []
        switch executable {
        case "mesh-orchestrator": extra = ["--playbooks", playbooks]
        case "mesh-reviewer": extra = ["--rules", Self.root.appendingPathComponent("Rules").path]
        case "mesh-compliance": extra = ["--policies", Self.root.appendingPathComponent("Policies").path]
        default: break
        }
        // The harness's log level, then the mesh-wide role environment, then this role's own.
        var environment = roleEnvironment.merging(["AGENTMESH_LOG_LEVEL": "info"]) { _, fixed in fixed }.merging(added) { $1 }
        if let kafka {
            environment["AGENTMESH_BOOTSTRAP"] = kafka
            environment["AGENTMESH_KAFKA_CONFIG"] = try realKafkaRoleProperties()
        }
        roles[name] = try ChildProcess(
            try Executables.url(executable), arguments + extra + common, name: name, workingDirectory: workspace.url,
            environment: environment)
    }

    /// The harness's own client settings: the embedded broker's file, or the real Kafka.
    func kafkaConfiguration() throws -> KafkaConfiguration { try Self.kafkaConfiguration(home: home, kafka: kafka) }

    private static func kafkaConfiguration(home: String, kafka: String?) throws -> KafkaConfiguration {
        try MeshEnvironment(home: home).kafkaConfiguration(bootstrap: kafka)
    }

    /// Role settings for a real Kafka: a killed member leaves its group after 6 s (the
    /// broker's minimum) instead of librdkafka's 45 s, so a restart gets its partitions soon.
    private func realKafkaRoleProperties() throws -> String {
        let file = workspace.url.appendingPathComponent("real-kafka.properties")
        try "session.timeout.ms=6000\n".write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// The standard mesh: orchestrator, one agent per role, reviewer, compliance.
    func startStandardMesh(agentRoles: [String] = ["coding", "testing", "security", "documentation", "ux", "discovery"]) throws {
        try start("orchestrator-1", "mesh-orchestrator")
        for role in agentRoles { try start("\(role)-1", "mesh-agent", ["--role", role]) }
        try start("reviewer-1", "mesh-reviewer")
        try start("compliance-1", "mesh-compliance")
    }

    /// The health port a role process logged at start-up.
    func healthPort(_ name: String) async throws -> Int {
        var port: Int?
        try await eventually("\(name) logs its health port") {
            let log = roles[name]?.stderr ?? ""
            guard let range = log.range(of: "health_port=") else { return false }
            port = Int(log[range.upperBound...].prefix { $0.isNumber })
            return port != nil
        }
        return port!
    }

    /// GETs `path` from a role's health server; returns status and body.
    func get(_ name: String, _ path: String) async throws -> (status: Int, body: String) {
        let port = try await healthPort(name)
        let url = URL(string: "http://127.0.0.1:\(port)\(path)")!
        let (data, response) = try await URLSession.shared.data(from: url)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// Inputs of `topic` a role process has processed, from its `/metrics`.
    func processed(_ name: String, topic: String) async throws -> Int {
        let metrics = try await get(name, "/metrics").body
        let line = metrics.split(separator: "\n").first {
            $0.hasPrefix("agentmesh_messages_processed_total{") && $0.contains("topic=\"\(topic)\"")
        }
        return line.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
    }

    /// Runs `meshctl` against this mesh (its home and catalog).
    func meshctl(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await runToCompletion(
            try Executables.url("meshctl"),
            arguments + ["--home", home, "--catalog", catalog],
            workingDirectory: workspace.url, timeout: timeout)
    }

    func kill(_ name: String) {
        roles[name]?.signal(SIGKILL)
        roles[name]?.process.waitUntilExit()
    }

    func stop(_ name: String) async -> Bool {
        guard let child = roles[name] else { return false }
        child.signal(SIGTERM)
        return await child.waitForExit(timeout: .seconds(30))
    }

    func shutdown() {
        observer?.close()
        observerTask?.cancel()
        producer.close(timeout: .seconds(2))
        roles.values.forEach { $0.stop() }
        broker?.stop()
        workspace.remove()
    }

    /// Everything any process printed, for failure messages.
    var logs: String {
        roles.sorted { $0.key < $1.key }.map { "== \($0.key)\n\(String($0.value.stderr.suffix(3000)))" }.joined(separator: "\n")
    }

    // MARK: Publishing as meshctl and as people

    @discardableResult
    func submit(playbook: String, title: String = "Add allergy banner", description: String = "Show allergies.",
                correlationID: String = "obj-\(UUID().uuidString.prefix(8))") async throws -> String {
        let envelope = Envelope(
            source: SourcePath.make(role: "meshctl", instance: "test"), correlationID: correlationID,
            payload: .objectiveSubmitted(ObjectiveSubmitted(
                objectiveID: correlationID, title: title, description: description, playbook: playbook, submittedBy: "alice")))
        try await publish(envelope, to: "mesh.objectives", as: "meshctl")
        return correlationID
    }

    func cancel(_ correlationID: String) async throws {
        let envelope = Envelope(
            source: SourcePath.make(role: "meshctl", instance: "test"), correlationID: correlationID,
            payload: .objectiveCancelRequested(ObjectiveCancelRequested(
                objectiveID: correlationID, requestedBy: "alice", reason: "no longer needed")))
        try await publish(envelope, to: "mesh.objectives", as: "meshctl")
    }

    /// `person` decides on an approval request, signing the manifest like `meshctl approve`.
    func decide(_ request: Envelope, as person: String, _ decision: Decision, meaning: String = "approved") async throws {
        guard case .approvalRequested(let asked) = request.payload else { throw HarnessError("not an approval request") }
        let unsigned = ApprovalDecision(
            approvalID: asked.approvalID, decision: decision, signerID: person, printedName: person.capitalized,
            meaning: meaning, signedAtUnixMicros: WallClock.nowUnixMicros(), reason: "checked in test",
            resultSHA256: asked.resultSHA256)
        let signed = ApprovalManifest.sign(unsigned, with: try KeyRingStore.loadSigner(principal: person, from: keys))
        let envelope = Envelope(causedBy: request, source: SourcePath.make(role: "approver", instance: person),
                                payload: .approvalDecision(signed))
        try await publish(envelope, to: "mesh.approvals", as: person)
    }

    /// Publishes `count` completed coding results (one source file and one test each) on
    /// `mesh.results`, as a backlog for reviewers; returns their envelope ids.
    func publishResultBacklog(_ count: Int, correlationPrefix: String) async throws -> Set<String> {
        var ids: Set<String> = []
        for index in 0..<count {
            let result = Envelope(
                source: "/mesh/coding/backlog", correlationID: "\(correlationPrefix)-\(index)", subject: "task-\(index)",
                payload: .taskResult(TaskResult(
                    taskID: "task-\(index)", planID: "plan-\(index)", state: .completed, summary: "done",
                    artifacts: [Artifact(name: "Sources/A.swift", mediaType: "text/x-swift", content: Array("let a = 1\n".utf8)),
                                Artifact(name: "Tests/ATests.swift", mediaType: "text/x-swift", content: Array("import XCTest\n".utf8))],
                    agentID: "backlog")))
            ids.insert(result.id)
            try await publish(result, to: "mesh.results", as: "coding")
        }
        return ids
    }

    func publish(_ envelope: Envelope, to topic: String, as principal: String) async throws {
        let sealer = EnvelopeSealer(signer: try KeyRingStore.loadSigner(principal: principal, from: keys))
        try await MeshPublisher(producer: producer, sealer: sealer).publish(envelope, to: topic)
    }

    // MARK: Observing

    private func startObserver() throws {
        let configuration = try kafkaConfiguration()
        let admin = try KafkaAdmin(configuration: configuration, logger: logger)
        let topics = try admin.describeTopics().filter {
            ["mesh.plans", "mesh.verdicts", "mesh.approvals", "mesh.results", "mesh.deadletter"].contains($0.name)
                || $0.name.hasPrefix("mesh.tasks.")
        }
        let partitions = topics.flatMap { topic in
            (0..<topic.partitions).map { TopicPartition(topic: topic.name, partition: Int32($0)) }
        }
        let consumer = try KafkaConsumer(configuration: configuration, subscription: .partitions(partitions), logger: logger)
        let opener = EnvelopeOpener(trust: try KeyRingStore.loadTrustStore(from: keys))
        let subscriber = MeshSubscriber(consumer: consumer, opener: opener, deadLetters: nil, logger: logger)
        observer = consumer
        let observed = self.observed
        observerTask = Task {
            while let inbound = await subscriber.next() { await observed.append(inbound.envelope) }
        }
    }

    func envelopes(_ correlationID: String) async -> [Envelope] {
        await observed.values.filter { $0.correlationID == correlationID }
    }

    /// Waits for the plan's final envelope (completed or failed) and returns it.
    func outcome(_ correlationID: String, timeout: Duration = .seconds(60)) async throws -> Envelope {
        var final: Envelope?
        try await eventually("objective \(correlationID) reaches a final state\n\(logs)", timeout: timeout) {
            final = await envelopes(correlationID).first {
                if case .planCompleted = $0.payload { return true }
                if case .planFailed = $0.payload { return true }
                return false
            }
            return final != nil
        }
        return final!
    }

    func first(_ correlationID: String, timeout: Duration = .seconds(60), where match: @escaping (Envelope) -> Bool) async throws -> Envelope {
        var found: Envelope?
        try await eventually("an awaited envelope of \(correlationID)\n\(logs)", timeout: timeout) {
            found = await envelopes(correlationID).first(where: match)
            return found != nil
        }
        return found!
    }
}

extension Envelope {
    var verdict: Verdict? { if case .verdict(let v) = payload { return v } else { return nil } }
    var assignment: TaskAssigned? { if case .taskAssigned(let t) = payload { return t } else { return nil } }
    var result: TaskResult? { if case .taskResult(let r) = payload { return r } else { return nil } }
    var failure: PlanFailed? { if case .planFailed(let f) = payload { return f } else { return nil } }
    var completion: PlanCompleted? { if case .planCompleted(let c) = payload { return c } else { return nil } }
    var approvalRequest: ApprovalRequested? { if case .approvalRequested(let a) = payload { return a } else { return nil } }
}
