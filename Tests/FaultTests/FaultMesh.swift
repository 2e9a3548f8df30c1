import Foundation
import Logging
import MeshAudit
import MeshCatalog
import MeshKafka
import MeshSigning
import MeshTestSupport
import MeshTransport
import MeshWire
import XCTest

/// How roles hand their outputs to Kafka.
enum DeliveryMode: String, CaseIterable {
    case atLeastOnce = "at-least-once"
    case exactlyOnce = "exactly-once"

    /// Passed to every role process.
    var roleArguments: [String] { self == .exactlyOnce ? ["--exactly-once"] : [] }
}

/// The whole mesh as separate role processes on an embedded broker hosted in this (test)
/// process, so the broker's fault APIs can be called while objectives flow.
final class FaultMesh: @unchecked Sendable {
    static let root = repositoryRoot()
    static var catalogPath: String { root.appendingPathComponent("Topics").path }

    let workspace: TemporaryDirectory
    let environment: MeshEnvironment
    let catalog: Catalog
    let cluster: EmbeddedKafkaCluster
    let mode: DeliveryMode
    /// The test's own clients meet every fault too; only errors are worth printing.
    let logger = { var logger = Logger(label: "fault-mesh"); logger.logLevel = .error; return logger }()
    /// Where the audit sink stores (a SQLite file).
    let auditStore: String
    let finals = FinalStates()

    private let lock = NSLock()
    private var roles: [String: ChildProcess] = [:]
    private var launches: [String: (executable: String, arguments: [String])] = [:]
    private var retired: [ChildProcess] = []
    private let producer: KafkaProducer
    private var watcher: (consumer: KafkaConsumer, task: Task<Void, Never>)?

    var home: String { environment.home.path }
    var keys: String { environment.keysDirectory.path }

    /// `keyAlgorithm`: the role keys' algorithm (`meshctl keys init --algorithm`); `nil` takes
    /// its default (Ed25519).
    init(mode: DeliveryMode, keyAlgorithm: String? = nil) async throws {
        self.mode = mode
        workspace = try TemporaryDirectory("agentmesh-fault")
        environment = MeshEnvironment(home: workspace.url.appendingPathComponent(".agentmesh").path)
        catalog = try CatalogLoader.load(directory: URL(fileURLWithPath: Self.catalogPath))
        cluster = try environment.hostEmbeddedBroker(catalog: catalog, brokers: 3, logger: logger)
        auditStore = "sqlite:" + workspace.url.appendingPathComponent("audit.sqlite").path
        let keys = try await runToCompletion(
            try Executables.url("meshctl"),
            ["keys", "init", "--catalog", Self.catalogPath, "--home", environment.home.path, "--people", "alice"]
                + (keyAlgorithm.map { ["--algorithm", $0] } ?? []),
            workingDirectory: workspace.url)
        guard keys.status == 0 else { throw HarnessError("keys init failed: \(keys.stderr)") }
        // Large enough for the oversize injection (the roles keep librdkafka's default). One
        // request in flight: with several, two chaos runs each lost one submission that the
        // embedded broker had acknowledged while it answered injected produce errors (the
        // retried batch was acknowledged, the record never appeared), a broker artifact
        // outside the mesh under test.
        producer = try KafkaProducer(
            configuration: try environment.kafkaConfiguration().merging([
                "message.max.bytes": "4000000", "max.in.flight.requests.per.connection": "1",
            ]), logger: logger)
        try watchPlans()
    }

    // MARK: Role processes

    /// Starts a role process; `name` is also its instance id.
    func start(_ name: String, _ executable: String, _ arguments: [String] = []) throws {
        var extra: [String] = []
        switch executable {
        case "mesh-orchestrator": extra = ["--playbooks", Self.root.appendingPathComponent("Playbooks").path]
        case "mesh-reviewer": extra = ["--rules", Self.root.appendingPathComponent("Rules").path]
        case "mesh-compliance": extra = ["--policies", Self.root.appendingPathComponent("Policies").path]
        // No agent card from the sink: it stores its own cards like any record, so they would
        // keep arriving after the topics are read for the accounting (its last one after it
        // stopped), and the store could never match them exactly. `AgentCardTests` checks it.
        case "mesh-audit-sink":
            extra = ["--store", auditStore, "--batch-wait-ms", "20", "--stats-seconds", "5", "--card-seconds", "0"]
        default: break
        }
        let all = arguments + extra + mode.roleArguments + [
            "--home", home, "--catalog", Self.catalogPath, "--instance", name, "--health-port", "0",
        ]
        let child = try ChildProcess(
            try Executables.url(executable), all, name: name, workingDirectory: workspace.url,
            environment: ["AGENTMESH_LOG_LEVEL": "info"])
        lock.withLock {
            roles[name] = child
            launches[name] = (executable, arguments)
        }
    }

    /// Orchestrator, the coding agent (the playbook's only role), reviewer, compliance, audit sink.
    func startMesh() throws {
        try start("orchestrator-1", "mesh-orchestrator")
        try start("coding-1", "mesh-agent", ["--role", "coding"])
        try start("reviewer-1", "mesh-reviewer")
        try start("compliance-1", "mesh-compliance")
        try start("audit-sink-1", "mesh-audit-sink")
    }

    func process(_ name: String) -> ChildProcess? { lock.withLock { roles[name] } }

    var runningRoles: [String] { lock.withLock { roles.filter { $0.value.isRunning }.map(\.key).sorted() } }

    /// Waits until every running role has been given partitions (its group formed).
    func waitUntilAssigned(_ names: [String], timeout: Duration = .seconds(60)) async throws {
        for name in names {
            try await eventually("\(name) is assigned partitions\n\(logs)", timeout: timeout) {
                process(name)?.stderr.contains("partitions assigned") == true
            }
        }
    }

    /// SIGKILL, then the same command again (a crash and a supervisor's restart).
    func killAndRestart(_ name: String) throws {
        guard let launch = lock.withLock({ launches[name] }) else { throw HarnessError("no role \(name)") }
        try kill(name)
        try start(name, launch.executable, launch.arguments)
    }

    /// SIGKILL (a crash); `start` runs it again.
    func kill(_ name: String) throws {
        guard let child = process(name) else { throw HarnessError("no role \(name)") }
        child.signal(SIGKILL)
        child.process.waitUntilExit()
        lock.withLock { retired.append(child) }
    }

    /// SIGTERM (a graceful leave); returns the exit code, or nil if it did not stop in time.
    func terminate(_ name: String, timeout: Duration = .seconds(40)) async -> Int32? {
        guard let child = process(name) else { return nil }
        child.signal(SIGTERM)
        return await child.waitForExit(timeout: timeout) ? child.exitCode : nil
    }

    /// `processed` from each stopped role's last "stopped" log line (its current process).
    func processedCounts() -> [String: Int] {
        lock.withLock { roles }.compactMapValues { child in
            guard let line = child.stderr.split(separator: "\n").last(where: { $0.contains("msg=stopped") }),
                  let range = line.range(of: " processed=") else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
    }

    func shutdown() {
        watcher?.consumer.close()
        watcher?.task.cancel()
        producer.close(timeout: .seconds(2))
        lock.withLock { Array(roles.values) + retired }.forEach { $0.stop() }
        environment.removeBrokerFile()
        if ProcessInfo.processInfo.environment["AGENTMESH_KEEP_FAULT_WORKSPACE"] == nil { workspace.remove() }
    }

    /// The tail of every role's log (current and killed runs), for failure messages.
    var logs: String {
        let all = lock.withLock { roles.map { ($0.key, $0.value) } + retired.map { ("\($0.name) (killed)", $0) } }
        return all.sorted { $0.0 < $1.0 }.map { "== \($0.0)\n\(String($0.1.stderr.suffix(2500)))" }.joined(separator: "\n")
    }

    // MARK: Publishing

    func signer(_ principal: String) throws -> MessageSigner { try KeyRingStore.loadSigner(principal: principal, from: keys) }

    /// Submits one objective on the single-task playbook, as `meshctl submit` does.
    func submit(_ objectiveID: String) throws {
        let envelope = Envelope(
            source: SourcePath.make(role: "meshctl", instance: "fault-test"), correlationID: objectiveID,
            payload: .objectiveSubmitted(ObjectiveSubmitted(
                objectiveID: objectiveID, title: "Fault run \(objectiveID)", description: "one coding task under faults",
                playbook: "single-task", submittedBy: "alice")))
        let publisher = MeshPublisher(producer: producer, sealer: EnvelopeSealer(signer: try signer("meshctl")))
        try publisher.enqueue(envelope, to: "mesh.objectives") { [logger] result in
            if case .failure(let error) = result { logger.error("submit of \(objectiveID) failed: \(error)") }
        }
    }

    /// Produces raw bytes, waiting for the broker's acknowledgement.
    func publishRaw(_ bytes: [UInt8], to topic: String, key: String) async throws {
        _ = try await producer.send(OutgoingMessage(topic: topic, key: Array(key.utf8), value: bytes))
    }

    func flush() throws { try producer.flush(timeout: .seconds(60)) }

    // MARK: Observing

    /// Follows mesh.plans for each objective's final state while the run goes on.
    private func watchPlans() throws {
        let configuration = try environment.kafkaConfiguration()
        let plans = try XCTUnwrap(catalog.topic(named: "mesh.plans"))
        let partitions = (0..<Int32(plans.partitions)).map { TopicPartition(topic: plans.name, partition: $0) }
        let consumer = try KafkaConsumer(configuration: configuration, subscription: .partitions(partitions), logger: logger)
        let opener = EnvelopeOpener(trust: try KeyRingStore.loadTrustStore(from: keys))
        let subscriber = MeshSubscriber(consumer: consumer, opener: opener, deadLetters: nil, logger: logger)
        let finals = self.finals
        let task = Task {
            while let inbound = await subscriber.next() {
                switch inbound.envelope.payload {
                case .planCompleted: finals.record(inbound.envelope.correlationID, completed: true)
                case .planFailed: finals.record(inbound.envelope.correlationID, completed: false)
                default: break
                }
            }
        }
        watcher = (consumer, task)
    }

    /// The verified envelopes `topic` holds now (read to its high watermark).
    func envelopes(on topic: String) async throws -> [Envelope] {
        let opener = try opener()
        return try await TopicReader.readToEnd(
            topic, configuration: try environment.kafkaConfiguration(), logger: logger, timeout: .seconds(60)
        ).compactMap { try? opener.open($0.value).get().envelope }
    }

    /// Makes broker `broker` the leader of every partition of `topics`.
    func lead(_ topics: [String], by broker: Int32) throws {
        for topic in topics {
            let partitions = try XCTUnwrap(catalog.topic(named: topic)).partitions
            for partition in 0..<Int32(partitions) { try cluster.setPartitionLeader(topic: topic, partition: partition, broker: broker) }
        }
    }

    /// Every record of every catalog topic, read to the high watermark taken now
    /// (read_committed, librdkafka's default isolation).
    func readAllTopics() async throws -> [ConsumedMessage] {
        var records: [ConsumedMessage] = []
        for topic in catalog.topics {
            records += try await TopicReader.readToEnd(
                topic.name, configuration: try environment.kafkaConfiguration(), logger: logger, timeout: .seconds(120))
        }
        return records
    }

    /// The sink's store, opened read-only while the sink may still be writing it.
    func openAuditStore() throws -> AuditStore {
        try AuditStoreLocation(parsing: auditStore).openForReading()
    }

    func opener() throws -> EnvelopeOpener { EnvelopeOpener(trust: try KeyRingStore.loadTrustStore(from: keys)) }

    /// `meshctl audit verify` over the sink's store, as an auditor runs it.
    func verifyAuditStore() async throws -> AccountingCheck {
        let run = try await runToCompletion(
            try Executables.url("meshctl"), ["audit", "verify", "--store", auditStore, "--home", home],
            workingDirectory: workspace.url)
        let output = (run.stdout + run.stderr).trimmingCharacters(in: .whitespacesAndNewlines)
        return AccountingCheck(
            name: "meshctl audit verify", counts: [output.split(separator: "\n").first.map(String.init) ?? ""],
            problems: run.status == 0 ? [] : ["exit \(run.status): \(output.suffix(2000))"])
    }
}

/// Final plan states seen on mesh.plans, by objective (correlation) id.
final class FinalStates: @unchecked Sendable {
    private let lock = NSLock()
    private var states: [String: Bool] = [:]

    func record(_ objectiveID: String, completed: Bool) { lock.withLock { states[objectiveID] = completed } }

    var snapshot: [String: Bool] { lock.withLock { states } }
}
