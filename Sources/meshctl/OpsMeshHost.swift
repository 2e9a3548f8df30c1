import ArgumentParser
import Foundation
import MeshOps
import Logging
import MeshCLI
import MeshCatalog
import MeshKafka
import MeshSigning
import MeshTransport

/// A whole local mesh in one process tree: the embedded broker (hosted in this process, or as
/// a `meshctl broker` child) and one child process per role instance. `up`, `demo` and the
/// pipeline bench use it.
final class OpsMeshHost: @unchecked Sendable {
    /// One role instance to run.
    struct ChildSpec: Sendable {
        var name: String
        var executable: String
        var arguments: [String]
    }

    /// The roles `up` starts, in catalog order: every role the mesh runs as a process.
    static func processRoles(in catalog: Catalog) -> [Role] {
        catalog.roles.filter { executable(for: $0.kind) != nil }
    }

    /// The executable a role of `kind` runs; `nil` for operators and people.
    static func executable(for kind: RoleKind) -> String? {
        switch kind {
        case .orchestrator: "mesh-orchestrator"
        case .agent: "mesh-agent"
        case .reviewer: "mesh-reviewer"
        case .compliance: "mesh-compliance"
        case .audit: "mesh-audit-sink"
        case .operator, .person: nil
        }
    }

    let environment: MeshEnvironment
    let logger: Logger
    /// Children's output goes here as `[name] line` when `logDirectory` is nil.
    let logDirectory: URL?
    /// Added to every child's environment.
    let childEnvironment: [String: String]
    /// Where the `[up] …` lifecycle lines go: stdout for `up`, stderr when stdout carries data (JSON).
    let status: @Sendable (String) -> Void
    private let lock = NSLock()
    private var cluster: EmbeddedKafkaCluster?
    /// `meshctl broker` when the broker runs as a child of its own (`startBrokerProcess`).
    private var brokerChild: (spec: ChildSpec, process: Process)?
    private var children: [(spec: ChildSpec, process: Process)] = []
    /// Children told to stop: their exit is expected, not reported as a failure.
    private var stopping: Set<String> = []
    private var readers: [Thread] = []
    private var logFiles: [FileHandle] = []

    init(environment: MeshEnvironment, logDirectory: URL? = nil, childEnvironment: [String: String] = [:],
         status: @escaping @Sendable (String) -> Void = opsPrint, logger: Logger) {
        self.environment = environment
        self.status = status
        self.logDirectory = logDirectory
        self.childEnvironment = childEnvironment
        self.logger = logger
    }

    var bootstrapServers: String? {
        if let servers = lock.withLock({ cluster?.bootstrapServers }) { return servers }
        return (try? KafkaConfiguration.loadProperties(file: environment.brokerFile.path))?["bootstrap.servers"]
    }

    // MARK: - Broker and keys

    /// Hosts the embedded broker with every catalog topic and writes `<home>/broker.properties`,
    /// like `meshctl broker`.
    func startBroker(catalog: Catalog, brokers: Int) throws {
        if let pid = environment.runningBrokerPID() {
            throw OpsFailure("a broker is already running for \(environment.home.path) (pid \(pid)); "
                                  + "stop it or pass --home <dir>")
        }
        let cluster = try EmbeddedKafkaCluster(brokers: brokers, logger: logger)
        for spec in catalog.creationSpecs(brokerCount: brokers) {
            try cluster.createTopic(spec.name, partitions: spec.partitions, replicationFactor: spec.replicationFactor)
        }
        try environment.writeBrokerFile(bootstrapServers: cluster.bootstrapServers,
                                        clientProperties: EmbeddedKafkaCluster.recommendedClientProperties)
        lock.withLock { self.cluster = cluster }
    }

    /// Starts the embedded broker as a `meshctl broker` child process, so that what it spends
    /// is measured apart from this process (the pipeline bench's load generator); returns once
    /// the child has written `<home>/broker.properties`.
    func startBrokerProcess(catalogDirectory: String, brokers: Int, timeout: Duration = .seconds(30)) async throws {
        if let pid = environment.runningBrokerPID() {
            throw OpsFailure("a broker is already running for \(environment.home.path) (pid \(pid)); "
                                  + "stop it or pass --home <dir>")
        }
        let spec = ChildSpec(
            name: "broker", executable: Self.ownExecutable().path,
            arguments: ["broker", "--brokers", String(brokers), "--home", environment.home.path, "--catalog", catalogDirectory])
        let process = try launch(spec)
        lock.withLock { brokerChild = (spec, process) }
        let deadline = ContinuousClock.now + timeout
        while environment.runningBrokerPID() != process.processIdentifier {
            guard process.isRunning else { throw OpsFailure("meshctl broker exited during start-up (see its output above)") }
            guard ContinuousClock.now < deadline else {
                throw OpsFailure("meshctl broker did not write \(environment.brokerFile.path) within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Process id of the broker child, when the broker runs as one.
    var brokerProcessID: Int32? { lock.withLock { brokerChild?.process.processIdentifier } }

    /// Creates the key ring (every non-person catalog role, plus `people`) if there is none;
    /// returns whether it did. An existing ring is left alone; people missing from it are
    /// reported in the returned list.
    func ensureKeys(catalog: Catalog, people: [String], algorithm: SigningAlgorithm) throws -> (created: Bool, missingPeople: [String]) {
        let directory = environment.keysDirectory.path
        if FileManager.default.fileExists(atPath: environment.keysDirectory.appendingPathComponent("trust.json").path) {
            let known = Set(try KeyRingStore.listKeys(in: directory).filter { $0.status == .active }.map(\.principal))
            return (false, people.filter { !known.contains($0) })
        }
        let roles = catalog.roles.filter { $0.kind != .person }.map(\.name)
        try KeyRingStore.initialize(at: directory, roles: roles, people: people, algorithm: algorithm,
                                    checkpointSigners: catalog.roles.filter { $0.kind == .audit }.map(\.name))
        return (true, [])
    }

    // MARK: - Children

    /// Where the role executables are: next to the running meshctl.
    static func executableDirectory() -> URL { ownExecutable().deletingLastPathComponent() }

    /// The running meshctl itself (the broker child runs `meshctl broker`).
    static func ownExecutable() -> URL {
        URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path)
    }

    /// The children for `replicas` (role -> count) of `roles`, each with a unique instance id
    /// `<role>-<n>` that is also its output prefix. An agent runs `mesh-agent --role <role>`.
    static func childSpecs(roles: [Role], replicas: [String: Int], common: [String], extra: (Role) -> [String],
                           directory: URL = executableDirectory()) throws -> [ChildSpec] {
        var specs: [ChildSpec] = []
        var missing: [String] = []
        for role in roles {
            let count = replicas[role.name] ?? 1
            guard count > 0, let executable = executable(for: role.kind) else { continue }
            let path = directory.appendingPathComponent(executable).path
            if !FileManager.default.isExecutableFile(atPath: path), !missing.contains(executable) { missing.append(executable) }
            for index in 1...count {
                let name = "\(role.name)-\(index)"
                var arguments = role.kind == .agent ? ["--role", role.name] : []
                arguments += extra(role) + common + ["--instance", name]
                specs.append(ChildSpec(name: name, executable: path, arguments: arguments))
            }
        }
        if !missing.isEmpty {
            throw OpsFailure("role executables not found next to meshctl in \(directory.path): "
                                  + "\(missing.joined(separator: ", ")); build them with `swift build`")
        }
        return specs
    }

    /// Parses `reviewer=3,coding=2` (repeatable); counts outside 0...16 are errors, and so are
    /// roles not in `roles` when given (the catalog's process roles).
    static func parseReplicas(_ values: [String], roles: [String]? = nil) throws -> [String: Int] {
        var result: [String: Int] = [:]
        for item in values.flatMap({ $0.split(separator: ",") }) {
            let parts = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let count = Int(parts[1]), (0...16).contains(count) else {
                throw ValidationError("--replicas \(item): expected role=count with count 0...16, e.g. reviewer=3,coding=2")
            }
            if let roles, !roles.contains(parts[0]) {
                throw ValidationError("--replicas \(item): unknown role \(parts[0]); roles: \(roles.joined(separator: ", "))")
            }
            result[parts[0]] = count
        }
        return result
    }

    /// Starts every child; output is prefixed with the child's name (or written to
    /// `<logDirectory>/<name>.log`). A child that exits is reported, never restarted.
    func start(_ specs: [ChildSpec]) throws {
        for spec in specs {
            let process = try launch(spec)
            lock.withLock { children.append((spec, process)) }
        }
    }

    /// Runs one child with its output relayed (or logged) and its exit reported.
    private func launch(_ spec: ChildSpec) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: spec.executable)
        process.arguments = spec.arguments
        process.standardInput = FileHandle.nullDevice
        // Children stop if this process dies.
        process.environment = ParentWatch.childEnvironment().merging(childEnvironment) { _, added in added }
        if let logDirectory {
            try FileManager.default.createDirectory(at: logDirectory, withIntermediateDirectories: true)
            let url = logDirectory.appendingPathComponent("\(spec.name).log")
            _ = FileManager.default.createFile(atPath: url.path, contents: nil)
            let handle = try FileHandle(forWritingTo: url)
            lock.withLock { logFiles.append(handle) }
            process.standardOutput = handle
            process.standardError = handle
        } else {
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            let reader = Thread { Self.relay(pipe.fileHandleForReading, prefix: "[\(spec.name)] ") }
            reader.name = "relay-\(spec.name)"
            lock.withLock { readers.append(reader) }
            reader.start()
        }
        process.terminationHandler = { [weak self] finished in
            guard let self else { return }
            let expected = self.lock.withLock { self.stopping.contains(spec.name) }
            let how = finished.terminationReason == .uncaughtSignal
                ? "killed by signal \(finished.terminationStatus)" : "exited with status \(finished.terminationStatus)"
            if expected {
                self.status("[up] \(spec.name) stopped (\(how))")
            } else {
                self.status("[up] \(spec.name) \(how) unexpectedly; it is not restarted"
                         + (self.logDirectory.map { " (log: \($0.appendingPathComponent("\(spec.name).log").path))" } ?? ""))
            }
        }
        try process.run()
        return process
    }

    /// Children still running.
    var running: [String] {
        lock.withLock { children.filter { $0.process.isRunning }.map(\.spec.name) }
    }

    var all: [String] { lock.withLock { children.map(\.spec.name) } }

    /// Process id of every child started, by child name (for per-process CPU figures).
    var processIDs: [String: Int32] {
        lock.withLock { Dictionary(children.map { ($0.spec.name, $0.process.processIdentifier) }, uniquingKeysWith: { $1 }) }
    }

    /// SIGTERM to every child, wait up to `grace` for them to drain, SIGKILL what is left,
    /// then stop the broker and remove the broker file. Idempotent.
    func stop(grace: Duration) async {
        await stopChildren(grace: grace)
        await stopBroker(grace: grace)
        lock.withLock { for file in logFiles { try? file.close() } }
    }

    /// SIGTERM to the children named (all when nil), wait up to `grace` for them to drain,
    /// SIGKILL what is left. The broker keeps running.
    func stopChildren(_ names: Set<String>? = nil, grace: Duration) async {
        let targets = lock.withLock { () -> [(spec: ChildSpec, process: Process)] in
            let chosen = children.filter { names?.contains($0.spec.name) ?? true }
            stopping.formUnion(chosen.map(\.spec.name))
            return chosen
        }
        await Self.terminate(targets, grace: grace, status: status)
        // Let the relays print the children's last lines.
        try? await Task.sleep(for: .milliseconds(200))
    }

    /// Stops the broker (the child, or the one hosted here) and removes the broker file.
    func stopBroker(grace: Duration) async {
        let child = lock.withLock { () -> (spec: ChildSpec, process: Process)? in
            defer { brokerChild = nil }
            if let brokerChild { stopping.insert(brokerChild.spec.name) }
            return brokerChild
        }
        if let child { await Self.terminate([child], grace: grace, status: status) }
        environment.removeBrokerFile()
        let released = lock.withLock { () -> EmbeddedKafkaCluster? in
            defer { cluster = nil }
            return cluster
        }
        withExtendedLifetime(released) {}
    }

    private static func terminate(_ targets: [(spec: ChildSpec, process: Process)], grace: Duration,
                                  status: @Sendable (String) -> Void) async {
        for (_, process) in targets where process.isRunning { kill(process.processIdentifier, SIGTERM) }
        let deadline = ContinuousClock.now + grace
        while targets.contains(where: { $0.process.isRunning }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(100))
        }
        for (spec, process) in targets where process.isRunning {
            status("[up] \(spec.name) did not stop within \(grace) of SIGTERM; sending SIGKILL")
            kill(process.processIdentifier, SIGKILL)
        }
        for (_, process) in targets { process.waitUntilExit() }
    }

    private static let outputLock = NSLock()

    /// Copies `handle` to stdout line by line with `prefix` until end of file.
    private static func relay(_ handle: FileHandle, prefix: String) {
        var pending = Data()
        while true {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                pending.removeSubrange(pending.startIndex...newline)
                outputLock.withLock { opsPrint(prefix + line) }
            }
        }
        if !pending.isEmpty { outputLock.withLock { opsPrint(prefix + String(decoding: pending, as: UTF8.self)) } }
    }
}
