import Foundation
import Logging
import MeshCatalog
import MeshKafka
import MeshLogging
import MeshRuntime
import MeshTransport

/// Start-up and shutdown shared by every role executable.
public enum RoleProcess {
    /// Builds the worker for `role` from the standard options.
    public static func worker(
        role: String, signingAs principal: String? = nil, topics: [String], handler: any RoleHandler,
        connection: ConnectionOptions, catalog: Catalog, options: RoleOptions, tickInterval: Duration? = nil,
        logger: Logger
    ) throws -> RoleWorker {
        var configuration = RoleWorkerConfiguration(role: role, instanceID: options.instanceID, topics: topics)
        configuration.maxInFlight = options.maxInFlight
        configuration.drainTimeout = .milliseconds(Int64(options.drainSeconds * 1000))
        configuration.tickInterval = tickInterval
        if let deadLetter = catalog.deadLetterTopic?.name { configuration.deadLetterTopic = deadLetter }
        return try RoleWorker(
            configuration: configuration, kafka: connection.kafkaConfiguration(),
            sealer: connection.sealer(as: principal ?? role), opener: connection.opener(), catalog: catalog,
            handler: handler, logger: logger)
    }

    /// Runs `worker` until SIGTERM or SIGINT, then drains it.
    public static func run(_ worker: RoleWorker, logger: Logger) async {
        let signals = Task {
            let number = await SignalWaiter.wait()
            logger.info("signal \(number): draining")
            worker.stop()
        }
        await worker.run()
        signals.cancel()
    }
}
