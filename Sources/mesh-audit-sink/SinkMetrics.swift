import CoreMetrics
import Foundation
import MeshKafka

/// The sink's `/metrics` through swift-metrics, like every role's (`ProcessMetrics` renders
/// them). The sink counts in ``AuditSink/Counters`` on its store path; at scrape time their
/// growth since the last scrape is added to the swift-metrics counters, so the sink's own
/// loop stays free of metrics calls and the counters stay monotonic.
final class SinkMetrics: @unchecked Sendable {
    private let lock = NSLock()
    private var reported: [String: Int] = [:]
    private var counters: [String: Counter] = [:]
    private var gauges: [String: Gauge] = [:]
    private var lagSeries: Set<String> = []

    /// Brings every series up to the sink's state now.
    func update(counters sink: AuditSink.Counters, head: Int64, anchors: (anchored: Int, failures: Int, pending: Int),
                ready: Bool, lag: [TopicPartition: Int64]) {
        lock.withLock {
            for (name, value) in [
                ("agentmesh_audit_records_received_total", sink.received),
                ("agentmesh_audit_records_stored_total", sink.stored),
                ("agentmesh_audit_records_duplicate_total", sink.duplicates),
                ("agentmesh_audit_records_rejected_total", sink.rejected),
                ("agentmesh_audit_store_errors_total", sink.storeErrors),
                ("agentmesh_audit_records_store_refused_total", sink.storeRefused),
                ("agentmesh_audit_records_dead_lettered_total", sink.deadLettered),
                ("agentmesh_audit_checkpoints_total", sink.checkpoints),
                ("agentmesh_audit_checkpoints_anchored_total", anchors.anchored),
                ("agentmesh_audit_anchor_failures_total", anchors.failures),
            ] {
                advance(name, to: value)
            }
            for (reason, value) in sink.rejectedByReason {
                advance("agentmesh_audit_records_rejected_by_reason_total", [("reason", reason)], to: value)
            }
            gauge("agentmesh_audit_checkpoints_unanchored", []).record(anchors.pending)
            gauge("agentmesh_audit_head_sequence", []).record(head)
            gauge("agentmesh_ready", []).record(ready ? 1 : 0)
            var current: Set<String> = []
            for (partition, value) in lag {
                let labels = [("topic", partition.topic), ("partition", "\(partition.partition)")]
                current.insert(Self.key("agentmesh_consumer_lag", labels))
                gauge("agentmesh_consumer_lag", labels).record(value)
            }
            for gone in lagSeries.subtracting(current) { gauges.removeValue(forKey: gone)?.destroy() }
            lagSeries = current
        }
    }

    private static func key(_ name: String, _ labels: [(String, String)]) -> String {
        labels.reduce(name) { $0 + "\u{0}" + $1.0 + "=" + $1.1 }
    }

    private func advance(_ name: String, _ labels: [(String, String)] = [], to value: Int) {
        let key = Self.key(name, labels)
        let counter = counters[key] ?? {
            let made = Counter(label: name, dimensions: [("role", "audit-sink")] + labels)
            counters[key] = made
            return made
        }()
        let growth = value - reported[key, default: 0]
        if growth > 0 { counter.increment(by: growth) }
        reported[key] = max(value, reported[key, default: 0])
    }

    private func gauge(_ name: String, _ labels: [(String, String)]) -> Gauge {
        let key = Self.key(name, labels)
        if let known = gauges[key] { return known }
        let made = Gauge(label: name, dimensions: [("role", "audit-sink")] + labels)
        gauges[key] = made
        return made
    }
}
