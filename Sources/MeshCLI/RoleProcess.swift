import Foundation
import Logging
import CoreMetrics
import MeshCatalog
import MeshKafka
import MeshLogging
import MeshRuntime
import MeshTracing
import MeshTransport
import MeshWire
import ServiceLifecycle

/// Start-up and shutdown shared by every role executable.
public enum RoleProcess {
    /// Builds the worker for `role` from the standard options. `handlerKind` and `model` are
    /// what the instance's agent card says does its work.
    public static func worker(
        role: String, signingAs principal: String? = nil, topics: [String], handler: any RoleHandler,
        handlerKind: String, model: String = "",
        connection: ConnectionOptions, catalog: Catalog, options: RoleOptions, tickInterval: Duration? = nil,
        logger: Logger
    ) throws -> RoleWorker {
        var configuration = try configuration(
            role: role, principal: principal, topics: topics, consuming: topics, catalog: catalog, options: options, logger: logger)
        configuration.handlerKind = handlerKind
        configuration.model = model
        configuration.tickInterval = tickInterval
        configuration.exactlyOnce = options.exactlyOnce
        return try RoleWorker(
            configuration: configuration, kafka: connection.kafkaConfiguration(),
            sealer: connection.sealer(as: principal ?? role), opener: connection.opener(), catalog: catalog,
            handler: handler, logger: logger, metricsFactory: MetricsSystem.factory)
    }

    /// Builds the worker of a role that keeps raw records in batches (the audit sink):
    /// `subscription` is what it reads (patterns allowed), `groupID` its consumer group.
    public static func batchWorker(
        role: String, groupID: String, subscription: [String], handler: some BatchHandler, batching: BatchSettings,
        handlerKind: String, connection: ConnectionOptions, catalog: Catalog, options: RoleOptions, logger: Logger
    ) throws -> RoleWorker {
        var configuration = try configuration(
            role: role, principal: nil, topics: subscription,
            consuming: catalog.topics(consumedBy: role).map(\.name), catalog: catalog, options: options, logger: logger)
        configuration.groupID = groupID
        configuration.handlerKind = handlerKind
        return try RoleWorker(
            configuration: configuration, kafka: connection.kafkaConfiguration(), sealer: connection.sealer(as: role),
            opener: connection.opener(), catalog: catalog, batchHandler: handler, batching: batching, logger: logger,
            metricsFactory: MetricsSystem.factory)
    }

    /// What every role's worker takes from the standard options and the catalog.
    private static func configuration(
        role: String, principal: String?, topics: [String], consuming: [String], catalog: Catalog, options: RoleOptions,
        logger: Logger
    ) throws -> RoleWorkerConfiguration {
        ProcessMetrics.bootstrap()
        var configuration = RoleWorkerConfiguration(role: role, instanceID: options.instanceID, topics: topics)
        let cardType = PayloadKind.agentHeartbeat.rawValue
        if let cards = catalog.topics(for: cardType, producedBy: principal ?? role).first {
            configuration.heartbeatTopic = cards.name
        }
        // 0: no cards.
        configuration.heartbeatInterval = options.cardSeconds > 0 ? .milliseconds(Int64(options.cardSeconds * 1000)) : nil
        configuration.capabilities = catalog.capabilities(of: principal ?? role, consuming: consuming, cardType: cardType)
        configuration.maxInFlight = options.maxInFlight
        configuration.drainTimeout = .milliseconds(Int64(options.drainSeconds * 1000))
        configuration.holdTimeout = .milliseconds(Int64(options.holdSeconds * 1000))
        configuration.maxHeldPerPartition = RoleOptions.maxHeldPerPartition
        if let deadLetter = catalog.deadLetterTopic?.name { configuration.deadLetterTopic = deadLetter }
        configuration.tracing = try TracingExport.fromEnvironment(serviceName: role)
        if let tracing = configuration.tracing {
            logger.info("exporting traces", metadata: [
                "endpoint": "\(tracing.exporter.configuration.endpoint)",
                "service": "\(tracing.exporter.configuration.serviceName)",
            ])
        }
        return configuration
    }

    /// Runs `worker` until SIGTERM or SIGINT, then drains it, serving `/livez`, `/readyz`
    /// (unready while starting and draining) and `/metrics` on the health port meanwhile.
    /// Both run as services of one `ServiceGroup`, the process's one signal path: on a signal
    /// the group shuts them down in reverse order, so the worker drains first and the health
    /// server answers (unready) until it is done.
    public static func run(_ worker: RoleWorker, options: RoleOptions, logger: Logger) async {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let health = startHealthServer(worker, port: options.resolvedHealthPort, logger: logger) {
            services.append(.init(service: HealthService(server: health)))
        }
        // The worker ending by itself (a fatal Kafka error) ends the process too.
        services.append(.init(service: RoleWorkerService(worker: worker, logger: logger),
                              successTerminationBehavior: .gracefullyShutdownGroup,
                              failureTerminationBehavior: .gracefullyShutdownGroup))
        let group = ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger))
        ParentWatch.startIfRequested()
        do { try await group.run() } catch { logger.error("\(error)") }
        if let failure = worker.failure {
            // Exit non-zero so a supervisor (Compose, Kubernetes) restarts the instance.
            logger.critical("stopped by a failure: \(failure)")
            exit(70)
        }
    }

    private static func startHealthServer(_ worker: RoleWorker, port: Int, logger: Logger) -> HealthServer? {
        do {
            let server = try HealthServer(port: port) { path in
                switch path {
                case "/livez":
                    return worker.isAlive ? .init(status: 200, body: "ok\n") : .init(status: 503, body: "stopped\n")
                case "/readyz":
                    return worker.isReady ? .init(status: 200, body: "ready\n") : .init(status: 503, body: "not ready\n")
                case "/metrics":
                    worker.metrics.update(worker.gauges)
                    return .init(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: ProcessMetrics.page())
                default:
                    return .init(status: 404, body: "try /livez, /readyz or /metrics\n")
                }
            }
            logger.info("health and metrics on port \(server.port)", metadata: ["health_port": "\(server.port)"])
            return server
        } catch {
            // A role without probes still does its work; say so loudly instead of stopping.
            logger.error("\(error)")
            return nil
        }
    }
}

/// The role's worker as a service: consumes until the group shuts down gracefully, then
/// drains (``RoleWorker/stop()``) and returns once its work is done.
struct RoleWorkerService: Service {
    let worker: RoleWorker
    let logger: Logger

    func run() async throws {
        await withGracefulShutdownHandler {
            await worker.run()
        } onGracefulShutdown: {
            logger.info("shutdown requested (SIGTERM, SIGINT or the parent gone): draining")
            worker.stop()
        }
        if let failure = worker.failure { throw failure }
    }
}

/// The health and metrics server as a service: up until the group's shutdown reaches it,
/// which is after the worker drained.
struct HealthService: Service {
    let server: HealthServer

    func run() async throws {
        try? await gracefulShutdown()
        server.stop()
    }
}
