import Foundation
import MeshKafka

/// Counters and the handler-duration histogram of one role process, rendered in the
/// Prometheus text format for `/metrics`.
public final class RoleMetrics: @unchecked Sendable {
    public enum Counter: String, CaseIterable, Sendable {
        case consumed, processed, published, failed, retried
        case deadLettered = "dead_lettered"
        case rejected, unauthorized, duplicate, rewound

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

        public init(ready: Bool, inFlight: Int, assignedPartitions: Int, rebalances: Int, lag: [TopicPartition: Int64]) {
            self.ready = ready
            self.inFlight = inFlight
            self.assignedPartitions = assignedPartitions
            self.rebalances = rebalances
            self.lag = lag
        }
    }

    /// Prometheus text exposition format 0.0.4.
    public func render(role: String, instance: String, gauges: Gauges) -> String {
        let base = "role=\"\(escape(role))\",instance=\"\(escape(instance))\""
        var out = ""
        let (counts, buckets, sum, total) = lock.withLock { (self.counts, bucketCounts, durationSum, durationCount) }
        for counter in Counter.allCases {
            let name = "agentmesh_messages_\(counter.rawValue)_total"
            out += "# HELP \(name) \(counter.help)\n# TYPE \(name) counter\n"
            for (topic, value) in (counts[counter] ?? [:]).sorted(by: { $0.key < $1.key }) {
                out += "\(name){\(base),topic=\"\(escape(topic))\"} \(value)\n"
            }
        }
        out += "# HELP agentmesh_handler_duration_seconds Time to handle one envelope and publish its outputs.\n"
        out += "# TYPE agentmesh_handler_duration_seconds histogram\n"
        for (index, bound) in Self.durationBuckets.enumerated() {
            out += "agentmesh_handler_duration_seconds_bucket{\(base),le=\"\(bound)\"} \(buckets[index])\n"
        }
        out += "agentmesh_handler_duration_seconds_bucket{\(base),le=\"+Inf\"} \(total)\n"
        out += "agentmesh_handler_duration_seconds_sum{\(base)} \(sum)\n"
        out += "agentmesh_handler_duration_seconds_count{\(base)} \(total)\n"
        out += gauge("agentmesh_ready", "1 while joined to its group and consuming, 0 while starting or draining.", base, gauges.ready ? 1 : 0)
        out += gauge("agentmesh_in_flight", "Envelopes handed out and not yet done.", base, gauges.inFlight)
        out += gauge("agentmesh_assigned_partitions", "Partitions assigned to this instance.", base, gauges.assignedPartitions)
        out += "# HELP agentmesh_rebalances_total Rebalance events (assignments and revocations).\n# TYPE agentmesh_rebalances_total counter\n"
        out += "agentmesh_rebalances_total{\(base)} \(gauges.rebalances)\n"
        out += "# HELP agentmesh_consumer_lag Records behind the end of the partition (committed offset to high watermark).\n"
        out += "# TYPE agentmesh_consumer_lag gauge\n"
        for (partition, lag) in gauges.lag.sorted(by: { $0.key < $1.key }) {
            out += "agentmesh_consumer_lag{\(base),topic=\"\(escape(partition.topic))\",partition=\"\(partition.partition)\"} \(lag)\n"
        }
        return out
    }

    private func gauge(_ name: String, _ help: String, _ labels: String, _ value: Int) -> String {
        "# HELP \(name) \(help)\n# TYPE \(name) gauge\n\(name){\(labels)} \(value)\n"
    }

    private func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
