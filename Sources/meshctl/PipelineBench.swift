import ArgumentParser
import Foundation
import MeshCatalog
import MeshOps
import MeshOrchestration
import Logging
import MeshCLI
import MeshKafka
import MeshLogging
import MeshSigning
import MeshTracing
import MeshTransport
import MeshWire

/// `meshctl bench pipeline`: one-task objectives through the mesh as deployed (orchestrator,
/// one coding agent with the built-in example handler, reviewer, compliance and the audit sink
/// on SQLite) on the embedded broker run as a process of its own; objectives per second,
/// submit-to-completion latency, CPU per objective per process, and an audit store that holds
/// every envelope once and verifies.
struct PipelineBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Objectives per second through the whole mesh with its audit sink, with p50/p99 latency and CPU per process.",
        discussion: """
            Runs the mesh as deployed: orchestrator, coding agent, reviewer, compliance and the audit \
            sink (SQLite store, checkpoints anchored on the checkpoint topic, as `meshctl up` starts \
            it), with the embedded broker as a `meshctl broker` process of its own and this process \
            generating the load.

            Phase 1 submits --objectives one-task objectives at once and measures how many complete \
            per second, and how much CPU each process spent per objective meanwhile: every role and \
            the sink (their sum is the mesh's cost), and apart from them the broker and the load \
            generator. The roles are counted until the last objective completes, the sink until it \
            has stored what the topics held then. On a shared machine the rate depends on what else \
            runs, the CPU per objective much less. Phase 2 submits at half that rate (or \
            --paced-rate) for --paced-seconds and measures the latency from submit to completion; \
            the target is p99 < 50 ms at 1000/s with the default client settings (producer \
            linger.ms 5; fetch.wait.max.ms 10, written by the embedded broker). Shorter waits \
            (fetch.wait.max.ms=2, linger.ms=1) cut the latency at light load but cost idle CPU and, \
            on a loaded machine, p99 at 1000/s. A properties file in AGENTMESH_KAFKA_CONFIG sets \
            them for this process and every process it starts (README, "Latency and idle CPU").

            Afterwards the roles stop, then the sink (it checkpoints on the way out), and the store \
            is checked: every envelope on the audited topics stored once (by envelope id), nothing \
            else, nothing flagged, and `audit verify --anchor topic` passes with every envelope \
            re-checked. A failed check fails the command. The report gives the stored records per \
            objective. Build in release mode first (swift build -c release): the role executables \
            are started from meshctl's folder.

            --modes at-least-once,exactly-once runs the same load once per delivery mode, each on a \
            fresh broker and fresh role processes (exactly-once: every role with --exactly-once), \
            and prints both plus the exactly-once/at-least-once throughput ratio.

            --key-algorithms ed25519,hmac-sha256 runs the same load once per role key algorithm \
            (each on a fresh key ring), and prints both plus the Ed25519/HMAC throughput ratio: \
            what attributable role signatures cost.

            --tracing runs each measurement twice, tracing off and then on (every role exporting \
            its spans, sampled at 100%, over OTLP/HTTP to a receiver this command runs on \
            loopback), each on a fresh broker and role processes, and prints both plus the \
            on/off throughput ratio.
            """)

    @Option(help: "Objectives in the throughput phase.") var objectives = 2_000
    @Option(name: .customLong("paced-seconds"), help: "Length of the paced latency phase.") var pacedSeconds = 5.0
    @Option(name: .customLong("paced-rate"), help: ArgumentHelp(
        "Objectives per second in the paced latency phase (default: half the measured throughput). "
            + "The latency target, p99 < 50 ms, is stated at 1000/s.", valueName: "per-second"))
    var pacedRate: Double?
    @Option(help: "Seconds to wait for the objectives to complete.") var timeout = 180.0
    @Option(parsing: .singleValue, help: ArgumentHelp(
        "Delivery modes to measure in this run, in order: at-least-once, exactly-once or both (comma-separated).",
        valueName: "mode,…"))
    var modes: [String] = []
    @Option(name: .customLong("key-algorithms"), parsing: .singleValue, help: ArgumentHelp(
        "Role key algorithms to measure in this run: ed25519, hmac-sha256 or both (comma-separated; default ed25519).",
        valueName: "algorithm,…"))
    var keyAlgorithms: [String] = []
    @Flag(help: "Also measure with every role exporting its spans (100% sampled) to a local OTLP receiver.")
    var tracing = false
    @Flag(help: "Print the figures as JSON on stdout.") var json = false
    /// With --model-endpoint the coding agent runs on that endpoint (--handler model,
    /// Agents/coding.yaml) instead of the example handler.
    @OptionGroup var model: ModelEndpointOptions

    /// The coding agent's handler: the example handler, or a model with --model-endpoint.
    var agentArguments: [String] { model.agentArguments }

    /// The role key algorithms to run (default: ed25519, what `meshctl up` creates).
    var selectedAlgorithms: [String] {
        let listed = keyAlgorithms.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        return listed.isEmpty ? [SigningAlgorithm.ed25519.rawValue] : listed
    }

    static let modeNames = ["at-least-once", "exactly-once"]

    /// The playbook every bench objective runs: one task, reviewed and checked by compliance.
    static let playbook = "single-task"

    /// The agent roles the bench playbook's tasks are addressed to, from the catalog and
    /// playbooks `layout` names.
    static func agentRoles(_ layout: OpsMeshLayout) throws -> [String] {
        let catalog = try layout.catalog.load()
        let library = try PlaybookLibrary.load(
            directory: URL(fileURLWithPath: layout.playbooks, isDirectory: true), agentRoles: catalog.agentRoles)
        guard let tasks = library[playbook]?.tasks else { throw OpsFailure("no playbook \(playbook) in \(layout.playbooks)") }
        return tasks.map(\.role.rawValue)
    }

    /// `--replicas` for the bench: one orchestrator, reviewer, compliance gate, audit sink and
    /// agent of each role the bench playbook uses; no other agents.
    static func replicas(_ layout: OpsMeshLayout) throws -> String {
        let catalog = try layout.catalog.load()
        let used = Set(try agentRoles(layout)).union([MeshRoles.orchestrator, MeshRoles.reviewer, MeshRoles.compliance])
            .union(catalog.roles.filter { $0.kind == .audit }.map(\.name))
        return OpsMeshHost.processRoles(in: catalog)
            .map { "\($0.name)=\(used.contains($0.name) ? 1 : 0)" }.joined(separator: ",")
    }

    /// The modes to run, from `--modes a,b` (default: at-least-once only).
    var selectedModes: [String] {
        let listed = modes.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        return listed.isEmpty ? ["at-least-once"] : listed
    }

    func validate() throws {
        for mode in selectedModes where !Self.modeNames.contains(mode) {
            throw ValidationError("--modes: unknown mode \"\(mode)\"; use \(Self.modeNames.joined(separator: ", "))")
        }
        guard Set(selectedModes).count == selectedModes.count else { throw ValidationError("--modes lists a mode twice") }
        for algorithm in selectedAlgorithms where SigningAlgorithm(rawValue: algorithm) == nil {
            throw ValidationError("--key-algorithms: unknown algorithm \"\(algorithm)\"; use ed25519, hmac-sha256")
        }
        if let pacedRate, !(pacedRate > 0) { throw ValidationError("--paced-rate must be above 0") }
    }

    /// Figures of several modes measured in one run.
    struct Comparison: Codable {
        var runs: [Figures]
        /// Exactly-once objectives/s divided by at-least-once objectives/s (both in this run).
        var exactlyOnceThroughputRatio: Double?
        /// Ed25519 objectives/s divided by HMAC objectives/s (first mode, both in this run).
        var ed25519ThroughputRatio: Double?
        /// Tracing on objectives/s divided by tracing off (first mode and algorithm, this run).
        var tracingThroughputRatio: Double?
    }

    struct Figures: Codable {
        var mode: String
        /// The coding agent's handler: example or model.
        var handler: String
        /// Role key algorithm.
        var keyAlgorithm: String
        /// Whether every role exported its spans (100% sampled) to the local receiver.
        var tracing: Bool
        /// Spans the receiver got (tracing on), and the number it had per objective.
        var spansReceived: Int?
        var spansPerObjective: Double?
        var objectives: Int
        var completed: Int
        var failed: Int
        var objectivesPerSecond: Double
        var burstP50Milliseconds: Double
        var burstP99Milliseconds: Double
        var pacedRatePerSecond: Double
        var pacedObjectives: Int
        var pacedP50Milliseconds: Double
        var pacedP99Milliseconds: Double
        var targetObjectivesPerSecond: Double
        var targetPacedP99Milliseconds: Double
        /// CPU milliseconds per objective during the burst, by process of the mesh: the role
        /// instances and the audit sink (`audit-sink-1`, counted until it caught up).
        var burstCPUMillisecondsPerObjective: [String: Double]
        /// Their sum, the mesh's cost: broker and load generator excluded.
        var burstCPUMillisecondsPerObjectiveTotal: Double
        /// The embedded broker's (`meshctl broker`) and the load generator's (this process:
        /// submitting and following completions), apart from the mesh's.
        var brokerCPUMillisecondsPerObjective: Double
        var loadCPUMillisecondsPerObjective: Double
        /// The audit store after the run (see `PipelineAuditCheck`).
        var audit: PipelineAuditCheck?
    }

    func run() async throws {
        try await withFiguresOnStdout(json: json) {
            let runs = try await measureAll()
            if runs.count == 1 { return (runs[0], Self.report(runs[0])) }
            let comparison = Comparison(runs: runs, exactlyOnceThroughputRatio: Self.throughputRatio(runs.filter { !$0.tracing }),
                                        ed25519ThroughputRatio: Self.algorithmRatio(runs.filter { !$0.tracing }),
                                        tracingThroughputRatio: Self.tracingRatio(runs))
            return (comparison, Self.report(comparison))
        }
    }

    /// One run per selected mode and key algorithm.
    func measureAll() async throws -> [Figures] {
        let logger = Logger(label: "bench")
        var runs: [Figures] = []
        for mode in selectedModes {
            for algorithm in selectedAlgorithms {
                for traced in tracing ? [false, true] : [false] {
                    runs.append(try await measure(mode: mode, algorithm: algorithm, traced: traced, logger: logger))
                }
            }
        }
        return runs
    }

    static func throughputRatio(_ runs: [Figures]) -> Double? {
        let algorithm = runs.first?.keyAlgorithm
        guard let atLeastOnce = runs.first(where: { $0.mode == "at-least-once" && $0.keyAlgorithm == algorithm }),
            let exactlyOnce = runs.first(where: { $0.mode == "exactly-once" && $0.keyAlgorithm == algorithm }),
            atLeastOnce.objectivesPerSecond > 0
        else { return nil }
        return exactlyOnce.objectivesPerSecond / atLeastOnce.objectivesPerSecond
    }

    static func tracingRatio(_ runs: [Figures]) -> Double? {
        guard let first = runs.first,
            let off = runs.first(where: { !$0.tracing && $0.mode == first.mode && $0.keyAlgorithm == first.keyAlgorithm }),
            let on = runs.first(where: { $0.tracing && $0.mode == first.mode && $0.keyAlgorithm == first.keyAlgorithm }),
            off.objectivesPerSecond > 0
        else { return nil }
        return on.objectivesPerSecond / off.objectivesPerSecond
    }

    static func algorithmRatio(_ runs: [Figures]) -> Double? {
        let mode = runs.first?.mode
        guard let hmac = runs.first(where: { $0.mode == mode && $0.keyAlgorithm == SigningAlgorithm.hmacSHA256.rawValue }),
            let ed25519 = runs.first(where: { $0.mode == mode && $0.keyAlgorithm == SigningAlgorithm.ed25519.rawValue }),
            hmac.objectivesPerSecond > 0
        else { return nil }
        return ed25519.objectivesPerSecond / hmac.objectivesPerSecond
    }

    /// One mode and key algorithm on a fresh broker, key ring and role processes; `traced`:
    /// every role exports its spans to a receiver started for this measurement.
    private func measure(mode: String, algorithm: String, traced: Bool, logger: Logger) async throws -> Figures {
        let home = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("agentmesh-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let environment = MeshEnvironment(home: home.path)
        let layout = try OpsMeshLayout.parse([
            "--brokers", "1", "--replicas", try Self.replicas(OpsMeshLayout.parse([])), "--no-console",
        ] + (mode == "exactly-once" ? ["--exactly-once"] : []) + ["--key-algorithm", algorithm] + agentArguments)
        let receiver = traced ? try await OTLPReceiver() : nil
        let tracingEnvironment = receiver.map {
            ["OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_ENDPOINT": $0.endpoint, "OTEL_TRACES_SAMPLER": "always_on"]
        } ?? ["OTEL_TRACES_EXPORTER": "none"]
        progress("\(mode), \(algorithm) role keys, tracing \(traced ? "on" : "off"): "
                 + "starting broker, orchestrator, coding agent, reviewer, compliance and audit sink…")
        let (host, _) = try await layout.bringUp(
            environment: environment, people: [], logDirectory: home.appendingPathComponent("logs"),
            childEnvironment: tracingEnvironment, brokerProcess: true, logger: logger)
        // Ctrl-C or SIGTERM stops the role processes too, instead of leaving them orphaned.
        let trap = OpsSignalTrap { number in
            Task {
                await host.stop(grace: .seconds(5))
                Foundation.exit(128 + number)
            }
        }
        defer { trap.cancel() }
        var figures: Figures
        do {
            let sink = try AuditSinkWatch(layout: layout, environment: environment, host: host)
            figures = try await measure(mode: mode, algorithm: algorithm, environment: environment, host: host, sink: sink,
                                        logger: logger)
            figures.audit = try await checkAudit(layout: layout, environment: environment, host: host, sink: sink,
                                                 figures: figures, logger: logger)
        } catch {
            await host.stop(grace: .seconds(5))
            try? await receiver?.close()
            throw error
        }
        // The roles send their last spans as they stop.
        await host.stop(grace: .seconds(5))
        if let receiver {
            let received = receiver.spans.count
            figures.tracing = true
            figures.spansReceived = received
            figures.spansPerObjective = Double(received) / Double(max(1, objectives + Self.warmup + figures.pacedObjectives))
            try? await receiver.close()
        }
        if let audit = figures.audit, !audit.passed {
            progress(Self.report(figures))
            throw OpsFailure("the audit store does not hold every envelope once, or does not verify: \(audit.summary)")
        }
        return figures
    }

    /// Objectives submitted before the burst, while the consumer groups form.
    static let warmup = 20

    /// Stops the roles, lets the sink store what they published and stop (it checkpoints and
    /// anchors on the way out), then checks its store against the topics. The broker keeps
    /// running for the reads.
    private func checkAudit(layout: OpsMeshLayout, environment: MeshEnvironment, host: OpsMeshHost, sink: AuditSinkWatch,
                            figures: Figures, logger: Logger) async throws -> PipelineAuditCheck {
        progress("audit: stopping the roles, then the sink; checking its store…")
        await host.stopChildren(Set(host.all).subtracting(sink.instances), grace: .seconds(10))
        let client = try OpsMeshClient(
            configuration: try environment.kafkaConfiguration(), keysDirectory: environment.keysDirectory.path, logger: logger)
        let read = try await sink.waitUntilCaughtUp(client: client, timeout: .seconds(Int64(timeout)))
        await host.stopChildren(sink.instances, grace: .seconds(30))
        return try await PipelineAuditCheck.run(
            read: read, client: client, catalog: sink.catalog, catalogOptions: layout.catalog, location: sink.location,
            keysDirectory: environment.keysDirectory.path, objectivePrefixes: ["warmup", "burst", "paced"],
            objectives: Self.warmup + objectives + figures.pacedObjectives, logger: logger)
    }

    static func report(_ comparison: Comparison) -> String {
        var lines = comparison.runs.map { report($0) }
        if let ratio = comparison.exactlyOnceThroughputRatio {
            lines.append(String(format: "exactly-once / at-least-once throughput: %.2f (same load, same run)", ratio))
        }
        if let ratio = comparison.ed25519ThroughputRatio {
            lines.append(String(format: "Ed25519 / HMAC role keys throughput: %.2f (same load, same run)", ratio))
        }
        if let ratio = comparison.tracingThroughputRatio {
            lines.append(String(format: "tracing on / off throughput: %.2f (same load, same run)", ratio))
        }
        return lines.joined(separator: "\n")
    }

    static func report(_ figures: Figures) -> String {
        func ms(_ value: Double) -> String { String(format: "%.0f ms", value) }
        func cpu(_ figures: Figures) -> String {
            figures.burstCPUMillisecondsPerObjective.sorted { $0.key < $1.key }
                .map { "\($0.key) " + String(format: "%.2f", $0.value) }.joined(separator: ", ")
                + String(format: "; mesh total %.2f ms (broker %.2f, load %.2f apart)", figures.burstCPUMillisecondsPerObjectiveTotal,
                         figures.brokerCPUMillisecondsPerObjective, figures.loadCPUMillisecondsPerObjective)
        }
        return """
            pipeline benchmark (\(figures.mode), \(figures.keyAlgorithm) role keys, tracing \(tracingText(figures))): orchestrator + coding agent (\(figures.handler) handler) + reviewer + compliance + audit sink (SQLite), embedded broker
              throughput  \(String(format: "%.0f", figures.objectivesPerSecond)) objectives/s over \(figures.objectives) \
            (\(figures.failed) failed); latency p50 \(ms(figures.burstP50Milliseconds)), p99 \(ms(figures.burstP99Milliseconds)) under the burst
              paced at \(String(format: "%.0f", figures.pacedRatePerSecond))/s: p50 \(ms(figures.pacedP50Milliseconds)), \
            p99 \(ms(figures.pacedP99Milliseconds)) over \(figures.pacedObjectives) objectives
              CPU per objective in the burst: \(cpu(figures)) (2,000/s on 2 cores needs ≤ 1 ms)
              audit store: \(figures.audit?.summary ?? "not checked")
              targets: ≥ 2000 objectives/s (\(figures.objectivesPerSecond >= 2000 ? "met" : "NOT met")); \
            p99 < \(ms(figures.targetPacedP99Milliseconds)) at 1000/s (\(latencyVerdict(figures)))
            """
    }

    private static func tracingText(_ figures: Figures) -> String {
        guard figures.tracing, let spans = figures.spansReceived else { return "off" }
        return String(format: "on, %d spans received, %.1f per objective", spans, figures.spansPerObjective ?? 0)
    }

    /// Whether the paced phase shows the latency target: it is stated at 1000/s, so a phase
    /// paced slower shows nothing about it.
    private static func latencyVerdict(_ figures: Figures) -> String {
        guard figures.pacedRatePerSecond >= 1000 else {
            return String(format: "not measured: paced at %.0f/s; run with --paced-rate 1000", figures.pacedRatePerSecond)
        }
        return figures.pacedP99Milliseconds < figures.targetPacedP99Milliseconds ? "met" : "NOT met"
    }

    private func measure(mode: String, algorithm: String, environment: MeshEnvironment, host: OpsMeshHost, sink: AuditSinkWatch,
                         logger: Logger) async throws -> Figures {
        let client = try OpsMeshClient(
            configuration: try environment.kafkaConfiguration(), keysDirectory: environment.keysDirectory.path, logger: logger)
        let publisher = try client.publisher(as: MeshRoles.meshctl)
        let tracker = CompletionTracker()
        let subscriber = try client.subscriber(try client.partitions(of: [MeshTopics.plans]))
        let watching = Task {
            while let inbound = await subscriber.next() {
                switch inbound.envelope.payload {
                case .planCompleted: tracker.finished(inbound.envelope.correlationID, failed: false)
                case .planFailed: tracker.finished(inbound.envelope.correlationID, failed: true)
                default: break
                }
            }
        }
        defer {
            subscriber.consumer.close()
            watching.cancel()
        }

        progress("warming up (consumer groups form)…")
        try await submit(Self.warmup, prefix: "warmup", publisher: publisher, tracker: tracker, pace: nil)
        try await tracker.waitUntilDone(prefix: "warmup", count: Self.warmup, timeout: .seconds(60))

        progress("phase 1: \(objectives) objectives at once…")
        let mesh = host.processIDs
        let apart = ["broker": host.brokerProcessID ?? 0, "load": getpid()]
        let cpuBefore = mesh.merging(apart) { $1 }.compactMapValues(ProcessCPU.seconds(of:))
        let burstStart = ContinuousClock.now
        try await submit(objectives, prefix: "burst", publisher: publisher, tracker: tracker, pace: nil)
        try await tracker.waitUntilDone(prefix: "burst", count: objectives, timeout: .seconds(Int64(timeout)))
        var cpuAfter = mesh.merging(apart) { $1 }.filter { !sink.instances.contains($0.key) }.compactMapValues(ProcessCPU.seconds(of:))
        // The sink may trail the roles: its share is counted until it has stored what the
        // topics hold now.
        try await sink.waitUntilCaughtUp(client: client, timeout: .seconds(Int64(timeout)))
        for name in sink.instances { cpuAfter[name] = mesh[name].flatMap(ProcessCPU.seconds(of:)) }
        var cpuPerObjective: [String: Double] = [:]
        for (name, after) in cpuAfter {
            guard let before = cpuBefore[name] else { continue }
            cpuPerObjective[name] = (after - before) * 1000 / Double(objectives)
        }
        let brokerCPU = cpuPerObjective.removeValue(forKey: "broker") ?? 0
        let loadCPU = cpuPerObjective.removeValue(forKey: "load") ?? 0
        let burst = tracker.latencies(prefix: "burst")
        let burstSeconds = (tracker.lastDone(prefix: "burst") - burstStart).seconds
        let rate = Double(burst.count) / burstSeconds

        let pacedRate = self.pacedRate ?? max(1, rate / 2)
        let pacedCount = max(10, Int(pacedRate * pacedSeconds))
        progress("phase 2: \(pacedCount) objectives at \(Int(pacedRate))/s…")
        try await submit(pacedCount, prefix: "paced", publisher: publisher, tracker: tracker, pace: pacedRate)
        try await tracker.waitUntilDone(prefix: "paced", count: pacedCount, timeout: .seconds(Int64(timeout)))
        let paced = tracker.latencies(prefix: "paced")

        let figures = Figures(
            mode: mode, handler: model.endpoint == nil ? "example" : "model", keyAlgorithm: algorithm, tracing: false, objectives: objectives, completed: burst.count - tracker.failures(prefix: "burst"),
            failed: tracker.failures(prefix: "burst"), objectivesPerSecond: rate,
            burstP50Milliseconds: percentile(burst, 0.5), burstP99Milliseconds: percentile(burst, 0.99),
            pacedRatePerSecond: pacedRate, pacedObjectives: pacedCount,
            pacedP50Milliseconds: percentile(paced, 0.5), pacedP99Milliseconds: percentile(paced, 0.99),
            targetObjectivesPerSecond: 2_000, targetPacedP99Milliseconds: 50,
            burstCPUMillisecondsPerObjective: cpuPerObjective,
            burstCPUMillisecondsPerObjectiveTotal: cpuPerObjective.values.reduce(0, +),
            brokerCPUMillisecondsPerObjective: brokerCPU, loadCPUMillisecondsPerObjective: loadCPU)
        return figures
    }

    private func submit(_ count: Int, prefix: String, publisher: MeshPublisher, tracker: CompletionTracker, pace: Double?) async throws {
        let start = ContinuousClock.now
        for index in 0..<count {
            if let pace {
                let due = start + .milliseconds(Int64(Double(index) * 1000 / pace))
                if due > .now { try await Task.sleep(until: due, clock: .continuous) }
            }
            let id = "\(prefix)-\(index)-\(UUID().uuidString.prefix(8))"
            let envelope = Envelope(
                source: OpsMeshClient.operatorSource, correlationID: id,
                payload: .objectiveSubmitted(ObjectiveSubmitted(
                    objectiveID: id, title: "Benchmark \(index)", description: "one coding task",
                    playbook: Self.playbook, submittedBy: "bench")))
            tracker.submitted(id)
            try publisher.enqueue(envelope, to: MeshTopics.objectives) { result in
                if case .failure(let error) = result { progress("submit failed: \(error)") }
            }
        }
        try publisher.producer.flush()
    }

    private func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

}

/// Runs `body` with stdout sent to stderr when `json` (so only the figures reach stdout), then
/// prints the figures as JSON, or else the report.
func withFiguresOnStdout(json: Bool, _ body: () async throws -> (figures: any Encodable, report: String)) async throws {
    let figuresOutput = json ? dup(STDOUT_FILENO) : -1
    if json { dup2(STDERR_FILENO, STDOUT_FILENO) }
    defer {
        if figuresOutput >= 0 {
            fflush(stdout)
            dup2(figuresOutput, STDOUT_FILENO)
            close(figuresOutput)
        }
    }
    MeshLogging.bootstrap(role: "bench", level: .error)
    let (output, text) = try await body()
    if json {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var text = String(decoding: try encoder.encode(output), as: UTF8.self) + "\n"
        fflush(stdout)
        _ = text.withUTF8 { write(figuresOutput, $0.baseAddress, $0.count) }
    } else {
        print(text)
    }
}

func progress(_ line: String) {
    FileHandle.standardError.write(Data(("[bench] " + line + "\n").utf8))
}

/// Submit and completion instants per objective.
final class CompletionTracker: @unchecked Sendable {
    private let lock = NSLock()
    private var submittedAt: [String: ContinuousClock.Instant] = [:]
    private var doneAt: [String: ContinuousClock.Instant] = [:]
    private var failed: Set<String> = []
    private var doneCounts: [String: Int] = [:]

    /// `burst` of `burst-12-ab34cd56`.
    static func prefix(of id: String) -> String { String(id.prefix { $0 != "-" }) }

    func submitted(_ id: String) { lock.withLock { submittedAt[id] = .now } }

    func finished(_ id: String, failed isFailure: Bool) {
        lock.withLock {
            guard doneAt[id] == nil else { return }
            doneAt[id] = .now
            doneCounts[Self.prefix(of: id), default: 0] += 1
            if isFailure { failed.insert(id) }
        }
    }

    func waitUntilDone(prefix: String, count: Int, timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while done(prefix: prefix) < count {
            guard ContinuousClock.now < deadline else {
                throw OpsFailure("only \(done(prefix: prefix)) of \(count) \(prefix) objectives completed within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Polled every 20 ms while waiting: a count kept per prefix, not a scan of every id (the
    /// scan took CPU from the pipeline being measured).
    func done(prefix: String) -> Int { lock.withLock { doneCounts[prefix] ?? 0 } }

    func failures(prefix: String) -> Int { lock.withLock { failed.filter { $0.hasPrefix(prefix + "-") }.count } }

    func latencies(prefix: String) -> [Double] {
        lock.withLock {
            doneAt.compactMap { id, done in
                guard id.hasPrefix(prefix + "-"), let start = submittedAt[id] else { return nil }
                return (done - start).seconds * 1000
            }
        }
    }

    func lastDone(prefix: String) -> ContinuousClock.Instant {
        lock.withLock { doneAt.filter { $0.key.hasPrefix(prefix + "-") }.values.max() ?? .now }
    }
}
