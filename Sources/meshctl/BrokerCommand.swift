import ArgumentParser
import Foundation
import Logging
import MeshCLI
import MeshCatalog
import MeshKafka
import MeshLogging
import MeshTransport

struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Host the embedded Kafka-protocol broker with the catalog's topics.",
        discussion: """
            Starts librdkafka's mock cluster on loopback (data in memory only, about 5 MB kept
            per partition: the audit store is the durable record), creates every catalog topic,
            prints the bootstrap servers and writes them with client settings suited to this
            broker to <home>/broker.properties, where every other command finds them. Runs
            until SIGINT or SIGTERM.
            """)

    @Option(help: "Number of brokers in the embedded cluster.")
    var brokers = 3

    @OptionGroup var catalog: CatalogOptions

    @Option(help: ArgumentHelp("State folder. Default: $AGENTMESH_HOME, else ./.agentmesh.", valueName: "dir"))
    var home: String?

    func validate() throws {
        guard (1...16).contains(brokers) else { throw ValidationError("--brokers must be between 1 and 16") }
    }

    func run() async throws {
        MeshLogging.bootstrap(role: "broker")
        // Started by the pipeline bench: stop with it.
        ParentWatch.startIfRequested()
        let logger = Logger(label: "meshctl.broker")
        let environment = MeshEnvironment(home: home)
        if let pid = environment.runningBrokerPID() {
            throw ValidationError(
                "a broker is already running for \(environment.home.path) (pid \(pid)); stop it or pass --home <dir>")
        }
        let topics = try catalog.load()
        let cluster = try environment.hostEmbeddedBroker(catalog: topics, brokers: brokers, logger: logger)
        print("bootstrap.servers=\(cluster.bootstrapServers)")
        print("embedded broker ready: \(brokers) brokers, \(topics.topics.count) topics from \(catalog.catalogDirectory.path); "
              + "settings in \(environment.brokerFile.path). Ctrl-C stops it.")
        fflush(stdout)
        let signal = await SignalWaiter.wait()
        environment.removeBrokerFile()
        logger.info("stopping embedded broker", metadata: ["signal": "\(signal)"])
        withExtendedLifetime(cluster) {}
    }
}
