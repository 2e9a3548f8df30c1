import ArgumentParser
import Foundation
import MeshCatalog
import MeshOps
import Logging
import MeshCLI
import MeshLogging
import MeshSigning
import MeshTransport

/// What `up` and `demo` share: how the local mesh is laid out.
struct OpsMeshLayout: ParsableArguments {
    @Option(help: "Brokers in the embedded cluster.") var brokers = 3
    @Option(parsing: .singleValue, help: ArgumentHelp(
        "Instances per role, e.g. --replicas reviewer=3,coding=2 (default 1 each; 0 leaves a role out). Roles: "
            + "the catalog's orchestrator, agent, reviewer, compliance and audit roles.", valueName: "role=n,…"))
    var replicas: [String] = []
    @Option(help: """
        Handler of the agents: example (offline, marker-driven, calls no model), model (Agents/<role>.yaml;         implied by --model-endpoint) or command (needs per-agent settings; see mesh-agent --help).
        """)
    var handler = "example"
    @Option(help: ArgumentHelp("Agent definitions folder for --handler model.", valueName: "dir")) var agents = "Agents"
    @OptionGroup var model: ModelEndpointOptions
    @Option(help: ArgumentHelp("Playbooks folder for the orchestrator.", valueName: "dir")) var playbooks = "Playbooks"
    @Option(help: ArgumentHelp("Review rules folder for the reviewer.", valueName: "dir")) var rules = "Rules"
    @Option(help: ArgumentHelp("Policy packs folder for compliance.", valueName: "dir")) var policies = "Policies"
    @Option(help: ArgumentHelp("Audit store. Default: sqlite:<home>/audit.sqlite.", valueName: "sqlite:PATH|postgresql://…"))
    var store: String?
    @Option(name: .customLong("drain-seconds"), help: "On stop, how long each role may drain before it is killed (plus 10 s).")
    var drainSeconds = 20.0
    @Option(name: .customLong("log-dir"), help: ArgumentHelp(
        "Write each child's output to <dir>/<name>.log instead of the terminal.", valueName: "dir"))
    var logDirectory: String?
    @Flag(name: .customLong("exactly-once"), help: "Start every role with --exactly-once (Kafka transactions; see mesh-agent --help).")
    var exactlyOnce = false
    @Option(name: .customLong("key-algorithm"), help: ArgumentHelp(
        "Role key algorithm when the key ring is created: ed25519 (attributable) or hmac-sha256 (faster, shared secrets).",
        valueName: "algorithm"))
    var keyAlgorithm = SigningAlgorithm.ed25519.rawValue
    @Option(name: .customLong("console-port"), help: "Port of the web console on 127.0.0.1. Default: a free one.")
    var consolePort: Int?
    @Flag(name: .customLong("no-console"), help: "Do not start the web console (mesh-console).") var noConsole = false
    @OptionGroup var catalog: CatalogOptions

    func validate() throws {
        guard (1...16).contains(brokers) else { throw ValidationError("--brokers must be between 1 and 16") }
        _ = try OpsMeshHost.parseReplicas(replicas)
        guard drainSeconds >= 0 else { throw ValidationError("--drain-seconds must not be negative") }
        guard SigningAlgorithm(rawValue: keyAlgorithm) != nil else {
            throw ValidationError("--key-algorithm must be ed25519 or hmac-sha256")
        }
    }

    /// The agents' handler arguments: a model endpoint implies the model handler.
    func agentArguments(role: String, absolute: (String) -> String) -> [String] {
        let handler = model.endpoint != nil ? "model" : self.handler
        guard handler == "model" else { return ["--handler", handler] }
        return ["--handler", "model", "--agent-file", absolute(agents + "/\(role).yaml"), "--model-policies", absolute(policies)]
            + model.agentArguments
    }

    var stopGrace: Duration { .milliseconds(Int64((drainSeconds + 10) * 1000)) }

    /// Broker, keys and every role process; returns once each child has started (or throws,
    /// with everything stopped again, when one exits during start-up).
    /// `childEnvironment`: added to every role process's environment (`OTEL_*`, say).
    /// `consoleApprover`: the person a new console users file is made for (else an operator).
    /// `brokerProcess`: run the broker as a `meshctl broker` child rather than in this process.
    func bringUp(environment: MeshEnvironment, people: [String], logDirectory override: URL? = nil,
                 childEnvironment: [String: String] = [:], consoleApprover: String? = nil, brokerProcess: Bool = false,
                 logger: Logger) async throws -> (host: OpsMeshHost, console: OpsConsole?) {
        let topics = try catalog.load()
        let absolute = { (path: String) in URL(fileURLWithPath: path).standardizedFileURL.path }
        let host = OpsMeshHost(environment: environment,
                               logDirectory: override ?? logDirectory.map { URL(fileURLWithPath: $0, isDirectory: true) },
                               childEnvironment: childEnvironment, logger: logger)
        let keys = try host.ensureKeys(catalog: topics, people: people, algorithm: SigningAlgorithm(rawValue: keyAlgorithm) ?? .ed25519)
        if keys.created {
            opsPrint("[up] created the key ring in \(environment.keysDirectory.path) (roles from the catalog; people: "
                     + "\(people.isEmpty ? "none" : people.joined(separator: ", ")))")
        } else if !keys.missingPeople.isEmpty {
            opsPrint("[up] note: the existing key ring has no key for \(keys.missingPeople.joined(separator: ", "))")
        }
        // Ephemeral health ports: many roles share this host; each logs the port it got.
        let common = ["--home", environment.home.path, "--catalog", absolute(catalog.catalogDirectory.path),
                      "--drain-seconds", String(drainSeconds), "--health-port", "0"] + (exactlyOnce ? ["--exactly-once"] : [])
        let store = self.store ?? "sqlite:" + environment.home.appendingPathComponent("audit.sqlite").path
        let folders = (playbooks: absolute(playbooks), rules: absolute(rules), policies: absolute(policies))
        let roles = OpsMeshHost.processRoles(in: topics)
        let counts = try OpsMeshHost.parseReplicas(replicas, roles: roles.map(\.name))
        var specs = try OpsMeshHost.childSpecs(roles: roles, replicas: counts, common: common) { role in
            switch role.kind {
            case .orchestrator: return ["--playbooks", folders.playbooks]
            case .reviewer: return ["--rules", folders.rules]
            case .compliance: return ["--policies", folders.policies]
            // Checkpoints go to the catalog's checkpoint topic, outside the database.
            case .audit: return ["--store", store, "--anchor-topic"]
            case .agent: return agentArguments(role: role.name, absolute: absolute)
            case .operator, .person: return []
            }
        }
        var console: OpsConsole?
        var signIn: (user: String, password: String)?
        if !noConsole {
            let made = OpsConsole(environment: environment, port: try consolePort ?? OpsConsole.freePort())
            signIn = try made.ensureUsers(approver: consoleApprover)
            specs.append(made.spec(store: store, catalog: absolute(catalog.catalogDirectory.path), policies: absolute(policies)))
            console = made
        }
        if brokerProcess {
            do {
                try await host.startBrokerProcess(catalogDirectory: absolute(catalog.catalogDirectory.path), brokers: brokers)
            } catch {
                await host.stop(grace: stopGrace)
                throw error
            }
        } else {
            try host.startBroker(catalog: topics, brokers: brokers)
        }
        opsPrint("[up] embedded broker: \(brokers) broker(s) at \(host.bootstrapServers ?? "?"), "
                 + "\(topics.topics.count) topics; settings in \(environment.brokerFile.path)")
        do {
            try host.start(specs)
        } catch {
            await host.stop(grace: stopGrace)
            throw error
        }
        // A child that cannot start (bad flag, missing folder) exits at once: give them a moment.
        try? await Task.sleep(for: .seconds(1))
        let stopped = Set(host.all).subtracting(host.running)
        if !stopped.isEmpty {
            await host.stop(grace: stopGrace)
            throw OpsFailure("the mesh did not start: \(stopped.sorted().joined(separator: ", ")) exited during start-up "
                                  + "(see their output above\(logDirectory.map { " or in \($0)" } ?? ""))")
        }
        opsPrint("[up] ready: \(specs.count) processes running (\(specs.map(\.name).joined(separator: ", "))); "
                 + "home \(environment.home.path)")
        if let console {
            opsPrint("[up] console: \(console.url)/ (users in \(console.usersFile))")
            if let signIn {
                opsPrint("[up] console sign-in: user \(signIn.user), password \(signIn.password) (shown once; add people with mesh-console users add)")
            }
        }
        return (host, console)
    }
}

struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Bring the whole mesh up locally: broker, keys and one process per role.",
        discussion: """
            Hosts the embedded broker in this process (catalog topics, <home>/broker.properties),
            creates the key ring if there is none (catalog roles plus --people), then starts the
            orchestrator, the six agents, the reviewer, compliance, the audit sink and the web
            console (mesh-console; its URL is printed, --no-console leaves it out), each from
            the folder holding meshctl, with unique --instance ids (<role>-<n>). Every output line
            of a child is prefixed with its name, e.g. [reviewer-2]. A child that exits is
            reported and not restarted. Ctrl-C or SIGTERM sends SIGTERM to every child, waits
            for them to drain (--drain-seconds + 10 s, then SIGKILL), stops the broker and removes
            the broker file. In another terminal: meshctl submit Objectives/feature.yaml --wait
            """)

    @OptionGroup var layout: OpsMeshLayout
    @Option(parsing: .upToNextOption, help: "People given approval keys when the key ring is created.")
    var people: [String] = ["demo-approver"]
    @Option(help: ArgumentHelp("State folder. Default: $AGENTMESH_HOME, else ./.agentmesh.", valueName: "dir"))
    var home: String?

    func run() async throws {
        MeshLogging.bootstrap(role: MeshRoles.meshctl, level: .warning)
        let logger = Logger(label: "meshctl.up")
        let environment = MeshEnvironment(home: home)
        let (host, _) = try await layout.bringUp(environment: environment, people: people, logger: logger)
        opsPrint("[up] Ctrl-C stops everything.")
        let signal = await SignalWaiter.wait()
        opsPrint("[up] signal \(signal): stopping \(host.running.count) processes")
        await host.stop(grace: layout.stopGrace)
        opsPrint("[up] stopped; broker file removed")
    }
}
