import ArgumentParser
import Foundation
import Hummingbird
import Logging
import MeshAudit
import MeshCLI
import MeshCatalog
import MeshCompliance
import MeshConsole
import MeshKafka
import MeshLogging
import MeshOps
import MeshSigning
import ServiceLifecycle

/// `mesh-console serve`: stateless (sessions live in signed cookies, the mesh in Kafka), so
/// replicas behind a load balancer need only the same users file and session secret.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the console over HTTP.",
        discussion: """
            Reads mesh.objectives, mesh.plans, mesh.results, mesh.verdicts and mesh.approvals
            (the live state), mesh.agents and mesh.deadletter on request, and the audit store
            (history: timeline, causal tree, verify, export); writes only signed envelopes: people's decisions to mesh.approvals (sealed with
            their own key); operators' objectives to mesh.objectives, and sign-in, sign-out and
            refused signatures and dead-letter redrives to mesh.operations (sealed with the console's role key). Logs console_port=<port> once listening.
            """)

    @Option(help: "Address to listen on (0.0.0.0 in a container).") var host = "127.0.0.1"
    @Option(help: "Port; 0 picks a free one.") var port = 8080
    @Option(help: ArgumentHelp("The users file. Default: $AGENTMESH_CONSOLE_USERS.", valueName: "file")) var users: String?
    @Option(help: ArgumentHelp(
        "The API tokens file (machine clients; `mesh-console tokens add`), re-read when it changes. Default: $AGENTMESH_CONSOLE_TOKENS, else none (bearer tokens refused).",
        valueName: "file"))
    var tokens: String?
    @Option(name: .customLong("session-secret-file"), help: ArgumentHelp(
        "File with the secret that authenticates session cookies; share it between replicas. "
        + "Default: $AGENTMESH_CONSOLE_SESSION_SECRET_FILE, else a random secret (sessions end on restart).", valueName: "file"))
    var sessionSecretFile: String?
    @Flag(name: .customLong("insecure-cookies"), help: "Send cookies without Secure, for plain http on localhost.")
    var insecureCookies = false
    @Option(name: .customLong("idle-timeout"), help: "Seconds without a request after which a session ends.") var idleTimeout = 900
    @Option(name: .customLong("max-failures"), help: "Wrong passwords in a row before an account is locked.") var maxFailures = 5
    @Option(help: "Seconds an account stays locked.") var lockout = 900
    @Option(name: .customLong("refresh-ms"), help: "How often live streams are sent the plans that changed, in milliseconds.")
    var refreshMilliseconds = 500
    @Option(help: "Instance id in the source path /mesh/console/<instance>. Default: $AGENTMESH_INSTANCE, else <host>-<pid>.")
    var instance: String?
    @Option(name: .customLong("audit-store"), help: ArgumentHelp(
        "The audit store the timeline, causal tree, verify status and export are read from: sqlite:PATH or postgresql://…. "
        + "Default: $AGENTMESH_AUDIT_STORE, else sqlite:<home>/audit.sqlite.", valueName: "url"))
    var auditStore: String?
    @Option(help: ArgumentHelp(
        "The policy packs (as mesh-compliance --policies) the compliance page takes each rule's identifier class from.", valueName: "dir"))
    var policies = "Policies"
    @OptionGroup var catalog: CatalogOptions
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        MeshLogging.bootstrap(role: MeshRoles.console, level: .info)
        let logger = Logger(label: "mesh-console")
        guard let usersPath = users ?? ProcessInfo.processInfo.environment["AGENTMESH_CONSOLE_USERS"] else {
            throw ValidationError("--users <file> (or $AGENTMESH_CONSOLE_USERS) is required: create it with `mesh-console users add`")
        }
        let people = try UsersFile.load(usersPath)
        let client = try OpsMeshClient(connection: connection, label: "mesh-console")
        let producer = try KafkaProducer(configuration: client.configuration, logger: logger)
        defer { producer.close() }
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "host"
        let consolePublisher = try client.publisher(as: MeshRoles.console)
        let instanceID = instance ?? ProcessInfo.processInfo.environment["AGENTMESH_INSTANCE"] ?? "\(host)-\(getpid())"
        let operations = OperationsLog(publisher: consolePublisher, instance: instanceID)
        let throttle = LoginThrottle(maxFailures: maxFailures, lockout: Int64(lockout))
        let feed = MeshFeed(client: client)
        let services = try ConsoleServices(
            users: people, sealer: try SessionSealer(secret: try sessionSecret(), idleTimeout: Int64(idleTimeout)),
            secureCookies: !insecureCookies, throttle: throttle, feed: feed,
            signing: SigningDesk(client: client, producer: producer, operations: operations, throttle: throttle),
            objectives: ObjectiveDesk(publisher: consolePublisher, instance: instanceID), operations: operations,
            audit: AuditView(location: try AuditStoreLocation.resolve(auditStore, home: connection.environment.home),
                             keysDirectory: client.keysDirectory),
            fleet: FleetDesk(client: client, catalog: try catalog.load(), producer: producer, publisher: consolePublisher, instance: instanceID),
            tokens: APITokenBook(path: tokens ?? ProcessInfo.processInfo.environment["AGENTMESH_CONSOLE_TOKENS"]),
            ruleClasses: try ruleClasses(logger: logger), logger: logger)
        let app = Application(
            router: services.router(), configuration: .init(address: .hostname(host == "" ? "127.0.0.1" : self.host, port: port)),
            onServerRunning: { channel in
                // Tests and `meshctl up` read the port from this line.
                logger.info("console listening", metadata: ["console_port": "\(channel.localAddress?.port ?? 0)"])
                FileHandle.standardError.write(Data("console_port=\(channel.localAddress?.port ?? 0)\n".utf8))
            },
            logger: logger)
        // Services shut down in reverse order: the feed first (ending live streams), then the server.
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: app), .init(service: FeedService(feed: feed, tick: .milliseconds(refreshMilliseconds), logger: logger))],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// Without the policy folder the console still serves; findings are then of class "unknown".
    private func ruleClasses(logger: Logger) throws -> RuleClasses {
        guard FileManager.default.fileExists(atPath: policies) else {
            logger.warning("no policy folder at \(policies): the compliance page cannot tell findings' classes")
            return RuleClasses([:])
        }
        return RuleClasses(bundle: try PolicyBundle.load(directory: policies))
    }

    private func sessionSecret() throws -> [UInt8] {
        guard let path = sessionSecretFile ?? ProcessInfo.processInfo.environment["AGENTMESH_CONSOLE_SESSION_SECRET_FILE"] else {
            return try SecureRandom.bytes(count: 32)
        }
        guard let data = FileManager.default.contents(atPath: path), data.count >= 32 else {
            throw ValidationError("\(path): the session secret file must hold at least 32 bytes (e.g. `head -c 32 /dev/urandom > \(path)`)")
        }
        return Array(data)
    }
}
