import CoreMetrics
import Foundation
import MeshKafka

/// The metrics of one role instance, through the swift-metrics API: the executable chooses
/// the backend (Prometheus for `/metrics`, see `RoleProcess`), libraries only report.
///
/// Series (every one labelled `role`; Prometheus adds `instance` and `job` from its target,
/// so the instance is not a label of ours):
/// - `agentmesh_messages_<counter>_total{topic}` for each ``Counter``;
/// - `agentmesh_dead_letters_total{topic,reason}`;
/// - `agentmesh_handler_duration_seconds` (histogram): handling one input and publishing its
///   outputs;
/// - `agentmesh_hop_latency_seconds{topic}` (histogram): end-to-end latency per hop, the
///   consumer's clock minus the envelope's time when the input is read;
/// - `agentmesh_transactions_total{outcome}` (exactly-once: committed, aborted);
/// - gauges set at scrape time from ``Gauges``: `agentmesh_ready`, `agentmesh_in_flight`,
///   `agentmesh_held_inputs`, `agentmesh_assigned_partitions`, `agentmesh_rebalances_total`,
///   `agentmesh_consumer_lag{topic,partition}` and the role's own (``RoleGauge``).
///
/// Totals are also kept here, for the worker's stats and agent card (a metrics backend is
/// write-only).
public final class RoleMetrics: @unchecked Sendable {
    public enum Counter: String, CaseIterable, Sendable {
        case consumed, processed, published, failed, retried
        case deadLettered = "dead_lettered"
        case rejected, unauthorized, duplicate, superseded, rewound, held
        case idConflict = "id_conflict"

        /// The series it is reported as, e.g. `agentmesh_messages_processed_total`.
        public var seriesName: String { "agentmesh_messages_\(rawValue)_total" }
    }

    /// Series reported only by roles in exactly-once mode.
    public static let transactionsSeries = "agentmesh_transactions_total"

    /// Buckets of the duration histograms, in seconds (the backend is told them by name).
    public static let durationBuckets: [Double] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
    public static let handlerDuration = "agentmesh_handler_duration_seconds"
    public static let hopLatency = "agentmesh_hop_latency_seconds"

    private let role: String
    private let factory: any MetricsFactory
    private let lock = NSLock()
    /// Per counter and topic: the total and the backend's handle. Looked up without building
    /// a string: these are incremented several times per message.
    private var counts: [Counter: [String: (total: Int, handle: CoreMetrics.Counter)]] = [:]
    private var hopLatencies: [String: CoreMetrics.Timer] = [:]
    private let handlerDurationTimer: CoreMetrics.Timer
    private var counters: [String: CoreMetrics.Counter] = [:]
    private var timers: [String: CoreMetrics.Timer] = [:]
    private var gauges: [String: CoreMetrics.Gauge] = [:]
    /// Lag gauges set at the last scrape, so a partition that left gets its series removed.
    private var lagSeries: Set<String> = []

    /// `factory`: the backend; by default the process's (`MetricsSystem.bootstrap`), which
    /// is a no-op until an executable bootstraps one.
    public init(role: String = "", factory: (any MetricsFactory)? = nil) {
        self.role = role
        let factory = factory ?? MetricsSystem.factory
        self.factory = factory
        handlerDurationTimer = CoreMetrics.Timer(
            label: Self.handlerDuration, dimensions: role.isEmpty ? [] : [("role", role)], factory: factory)
    }

    public func increment(_ counter: Counter, topic: String, by amount: Int = 1) {
        let handle: CoreMetrics.Counter = lock.withLock {
            if let known = counts[counter]?[topic] {
                counts[counter]![topic] = (known.total + amount, known.handle)
                return known.handle
            }
            let made = CoreMetrics.Counter(label: counter.seriesName, dimensions: dimensions([("topic", topic)]), factory: factory)
            counts[counter, default: [:]][topic] = (amount, made)
            return made
        }
        handle.increment(by: amount)
    }

    /// An input went to the dead-letter topic (or a rejected record did), and why.
    public func deadLettered(topic: String, reason: String) {
        lock.withLock { counterLocked("agentmesh_dead_letters_total", [("topic", topic), ("reason", reason)]) }.increment()
    }

    /// An exactly-once transaction ended.
    public func transaction(committed: Bool) {
        lock.withLock { counterLocked(Self.transactionsSeries, [("outcome", committed ? "committed" : "aborted")]) }.increment()
    }

    public func observeHandlerDuration(seconds: Double) {
        handlerDurationTimer.recordSeconds(seconds)
    }


    /// `micros`: now minus the envelope's time, when its record was read from `topic`. Clock
    /// skew between hosts can make it negative; that is recorded as zero.
    public func observeHopLatency(topic: String, micros: Int64) {
        let timer: CoreMetrics.Timer = lock.withLock {
            if let known = hopLatencies[topic] { return known }
            let made = timerLocked(Self.hopLatency, [("topic", topic)])
            hopLatencies[topic] = made
            return made
        }
        timer.recordMicroseconds(max(0, micros))
    }

    public func total(_ counter: Counter) -> Int {
        lock.withLock { counts[counter, default: [:]].values.reduce(0) { $0 + $1.total } }
    }

    public func count(_ counter: Counter, topic: String) -> Int {
        lock.withLock { counts[counter]?[topic]?.total ?? 0 }
    }

    /// Live values that are not counters, read at scrape time.
    public struct Gauges: Sendable {
        public var ready: Bool
        public var inFlight: Int
        public var assignedPartitions: Int
        public var rebalances: Int
        public var lag: [TopicPartition: Int64]
        /// Inputs parked for their cause right now.
        public var held: Int
        /// The role's own gauges (``RoleHandler/gauges()``).
        public var role: [RoleGauge]

        public init(ready: Bool, inFlight: Int, assignedPartitions: Int, rebalances: Int, lag: [TopicPartition: Int64],
                    held: Int = 0, role: [RoleGauge] = []) {
            self.ready = ready
            self.inFlight = inFlight
            self.assignedPartitions = assignedPartitions
            self.rebalances = rebalances
            self.lag = lag
            self.held = held
            self.role = role
        }
    }

    /// Sets the gauges to `values` (call right before the backend renders them).
    public func update(_ values: Gauges) {
        lock.withLock {
            gaugeLocked("agentmesh_ready", []).record(values.ready ? 1 : 0)
            gaugeLocked("agentmesh_in_flight", []).record(values.inFlight)
            gaugeLocked("agentmesh_held_inputs", []).record(values.held)
            gaugeLocked("agentmesh_assigned_partitions", []).record(values.assignedPartitions)
            gaugeLocked("agentmesh_rebalances_total", []).record(values.rebalances)
            for gauge in values.role { gaugeLocked(gauge.name, []).record(gauge.value) }
            var current: Set<String> = []
            for (partition, lag) in values.lag {
                let labels = [("topic", partition.topic), ("partition", "\(partition.partition)")]
                current.insert(Self.key("agentmesh_consumer_lag", labels))
                gaugeLocked("agentmesh_consumer_lag", labels).record(lag)
            }
            for gone in lagSeries.subtracting(current) { gauges.removeValue(forKey: gone)?.destroy() }
            lagSeries = current
        }
    }

    private func dimensions(_ labels: [(String, String)]) -> [(String, String)] {
        role.isEmpty ? labels : [("role", role)] + labels
    }

    private static func key(_ name: String, _ labels: [(String, String)]) -> String {
        labels.reduce(name) { $0 + "\u{0}" + $1.0 + "=" + $1.1 }
    }

    private func counterLocked(_ name: String, _ labels: [(String, String)]) -> CoreMetrics.Counter {
        Self.cached(in: &counters, Self.key(name, labels)) { CoreMetrics.Counter(label: name, dimensions: dimensions(labels), factory: factory) }
    }

    private func timerLocked(_ name: String, _ labels: [(String, String)]) -> CoreMetrics.Timer {
        Self.cached(in: &timers, Self.key(name, labels)) { CoreMetrics.Timer(label: name, dimensions: dimensions(labels), factory: factory) }
    }

    private func gaugeLocked(_ name: String, _ labels: [(String, String)]) -> CoreMetrics.Gauge {
        Self.cached(in: &gauges, Self.key(name, labels)) { CoreMetrics.Gauge(label: name, dimensions: dimensions(labels), factory: factory) }
    }

    /// The handle under `key`, made once: the backend is asked for each series only once.
    private static func cached<Handle>(in table: inout [String: Handle], _ key: String, make: () -> Handle) -> Handle {
        if let known = table[key] { return known }
        let made = make()
        table[key] = made
        return made
    }
}
