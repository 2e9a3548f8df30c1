import ArgumentParser
import Foundation

/// Options every role executable (`mesh-orchestrator`, `mesh-agent`, `mesh-reviewer`,
/// `mesh-compliance`, `mesh-audit-sink`) takes besides ``ConnectionOptions`` and
/// ``CatalogOptions``, so `meshctl up`, Compose and Kubernetes start them all alike.
public struct RoleOptions: ParsableArguments, Sendable {
    @Option(help: ArgumentHelp(
        "This instance's id, unique among replicas (client id, envelope source, heartbeats). Default: $AGENTMESH_INSTANCE, else <host>-<pid>.",
        valueName: "id"))
    public var instance: String?

    @Option(name: .customLong("max-in-flight"), help: ArgumentHelp(
        "Messages read ahead and in progress, over all partitions (each partition is still handled one message at a time). Too low a bound lets a burst on one partition starve the others."))
    public var maxInFlight = 512

    @Option(name: .customLong("drain-seconds"), help: "On SIGTERM, how long in-flight work may take to finish before the process leaves its group anyway.")
    public var drainSeconds = 20.0

    @Option(name: .customLong("hold-seconds"), help: ArgumentHelp(
        "How long an input that arrived before its cause (after a crash, a result can come back before its objective) is held, unacknowledged, waiting for it; then it goes to the dead-letter topic (e.g. plan-unknown). At most \(RoleOptions.maxHeldPerPartition) inputs are held per partition."))
    public var holdSeconds = 300.0

    @Option(name: .customLong("card-seconds"), help: ArgumentHelp(
        "How often this instance republishes its agent card (identity, load, last error) to the catalog's card topic; `meshctl agents` counts it stale after three missed cards. 0: no cards."))
    public var cardSeconds = 10.0

    /// Inputs held per partition at most (see `--hold-seconds`).
    public static let maxHeldPerPartition = 5_000

    @Option(name: .customLong("health-port"), help: ArgumentHelp(
        "Port of /livez, /readyz and /metrics (Prometheus). 0 picks a free port. Default: $AGENTMESH_HEALTH_PORT, else 9464.",
        valueName: "port"))
    public var healthPort: Int?

    @Flag(name: .customLong("exactly-once"), help: ArgumentHelp(
        "Consume-transform-produce in Kafka transactions: a message's outputs, dead letters and input offset commit together or not at all, and readers see only committed records. Costs throughput and adds up to the commit interval (100 ms) of latency per hop. Also on when $AGENTMESH_EXACTLY_ONCE=1. mesh-audit-sink always reads committed records only and ignores it."))
    public var exactlyOnceFlag = false

    public init() {}

    public func validate() throws {
        guard holdSeconds > 0 else { throw ValidationError("--hold-seconds must be more than 0 (seconds an early input waits for its cause)") }
        guard cardSeconds == 0 || cardSeconds >= 0.1 else {
            throw ValidationError("--card-seconds must be at least 0.1 (seconds between agent cards), or 0 for no cards")
        }
    }

    /// `--exactly-once`, or `AGENTMESH_EXACTLY_ONCE=1` (or `true`).
    public var exactlyOnce: Bool {
        if exactlyOnceFlag { return true }
        let value = ProcessInfo.processInfo.environment["AGENTMESH_EXACTLY_ONCE"]?.lowercased()
        return value == "1" || value == "true"
    }

    public var resolvedHealthPort: Int {
        healthPort ?? ProcessInfo.processInfo.environment["AGENTMESH_HEALTH_PORT"].flatMap(Int.init) ?? 9464
    }

    public var instanceID: String {
        if let instance { return instance }
        if let fromEnvironment = ProcessInfo.processInfo.environment["AGENTMESH_INSTANCE"] { return fromEnvironment }
        return "\(ProcessInfo.processInfo.hostName.split(separator: ".").first ?? "host")-\(getpid())"
    }
}
