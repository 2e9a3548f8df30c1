import Foundation
import MeshKafka

/// Counters and the handler-duration histogram of one role process, rendered in the
/// Prometheus text format for `/metrics`.
public final class RoleMetrics: @unchecked Sendable {
    public enum Counter: String, CaseIterable, Sendable {
        case consumed, processed, published, failed, retried
        case deadLettered = "dead_lettered"
        case rejected, unauthorized, duplicate, superseded, rewound, held
        case idConflict = "id_conflict"

        var help: String {
            switch self {
            case .consumed: "Verified envelopes read, by topic."
            case .processed: "Envelopes fully processed (outputs acknowledged), by input topic."
            case .published: "Envelopes published, by output topic."
            case .failed: "Handler attempts that failed, by input topic."
            case .retried: "Retries after a failed attempt, by input topic."
            case .deadLettered: "Inputs sent to the dead-letter topic, by input topic."
            case .rejected: "Records that failed verification (bad signature, malformed, …), by topic."
            case .unauthorized: "Envelopes the catalog does not allow from their signer (security events), by topic."
            case .duplicate: "Redelivered envelopes dropped as duplicates, by topic."
            case .rewound: "Partitions rewound to their committed offset after an aborted transaction (exactly-once mode), by topic."
            case .superseded: "Later copies of an output whose producer handled its input again (other bytes, same derived id), dropped: the first copy applied counts; by topic."
            case .idConflict: "Envelopes refused because their id belongs to another envelope (another principal, type or topic, or other bytes of a root id): security events, by topic."
            case .held: "Inputs parked because they arrived before their cause (e.g. a result before its objective after a crash), by topic."
            }
        }
    }

    /// Upper bounds of the handler-duration buckets, in seconds.
    public static let durationBuckets: [Double] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    private let lock = NSLock()
    private var counts: [Counter: [String: Int]] = [:]
    private var bucketCounts = [Int](repeating: 0, count: RoleMetrics.durationBuckets.count)
    private var durationSum = 0.0
    private var durationCount = 0

    public init() {}

    public func increment(_ counter: Counter, topic: String, by amount: Int = 1) {
        lock.withLock { counts[counter, default: [:]][topic, default: 0] += amount }
    }

    public func observeHandlerDuration(seconds: Double) {
        lock.withLock {
            for (index, bound) in Self.durationBuckets.enumerated() where seconds <= bound { bucketCounts[index] += 1 }
            durationSum += seconds
            durationCount += 1
        }
    }

    public func total(_ counter: Counter) -> Int {
        lock.withLock { counts[counter, default: [:]].values.reduce(0, +) }
    }

    public func count(_ counter: Counter, topic: String) -> Int {
        lock.withLock { counts[counter]?[topic] ?? 0 }
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

    /// Prometheus text exposition format 0.0.4.
    public func render(role: String, instance: String, gauges: Gauges) -> String {
        let base: [PrometheusText.Label] = [("role", role), ("instance", instance)]
        var page = PrometheusText()
        let (counts, buckets, sum, total) = lock.withLock { (self.counts, bucketCounts, durationSum, durationCount) }
        for counter in Counter.allCases {
            let name = "agentmesh_messages_\(counter.rawValue)_total"
            page.family(name, .counter, help: counter.help)
            for (topic, value) in (counts[counter] ?? [:]).sorted(by: { $0.key < $1.key }) {
                page.sample(name, base + [("topic", topic)], value)
            }
        }
        let duration = "agentmesh_handler_duration_seconds"
        page.family(duration, .histogram, help: "Time to handle one envelope and publish its outputs.")
        for (index, bound) in Self.durationBuckets.enumerated() {
            page.sample(duration + "_bucket", base + [("le", "\(bound)")], buckets[index])
        }
        page.sample(duration + "_bucket", base + [("le", "+Inf")], total)
        page.sample(duration + "_sum", base, sum)
        page.sample(duration + "_count", base, total)
        page.metric("agentmesh_ready", .gauge, help: "1 while joined to its group and consuming, 0 while starting or draining.",
                    base, gauges.ready ? 1 : 0)
        page.metric("agentmesh_in_flight", .gauge, help: "Envelopes handed out and not yet done.", base, gauges.inFlight)
        page.metric("agentmesh_held_inputs", .gauge, help: "Inputs parked until their cause is handled.", base, gauges.held)
        for gauge in gauges.role {
            page.metric(gauge.name, .gauge, help: gauge.help, base, gauge.value)
        }
        page.metric("agentmesh_assigned_partitions", .gauge, help: "Partitions assigned to this instance.", base, gauges.assignedPartitions)
        page.metric("agentmesh_rebalances_total", .counter, help: "Rebalance events (assignments and revocations).", base, gauges.rebalances)
        page.family("agentmesh_consumer_lag", .gauge,
                    help: "Records behind the end of the partition (committed offset to high watermark).")
        for (partition, lag) in gauges.lag.sorted(by: { $0.key < $1.key }) {
            page.sample("agentmesh_consumer_lag", base + [("topic", partition.topic), ("partition", "\(partition.partition)")], Int(lag))
        }
        return page.output
    }
}
