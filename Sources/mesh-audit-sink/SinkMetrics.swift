import CoreMetrics
import MeshTransport

/// The sink's own series through swift-metrics, counted as it stores. Everything a role
/// has in common (records consumed and processed per topic, dead letters, readiness, lag,
/// in flight) is the runtime's ``RoleMetrics``, as for every role; the head sequence and
/// the unanchored checkpoints are gauges of ``AuditSinkHandler/gauges()``.
struct SinkMetrics: Sendable {
    let received: Counter
    let stored: Counter
    let duplicates: Counter
    let rejected: Counter
    let storeErrors: Counter
    let storeRefused: Counter
    let deadLettered: Counter
    let checkpoints: Counter
    let anchored: Counter
    let anchorFailures: Counter
    /// One series per verification failure reason, made up front (the reasons are a fixed set).
    private let rejectedByReason: [String: Counter]
    private let rejectedOtherwise: Counter

    init(role: String) {
        func counter(_ name: String, _ labels: [(String, String)] = []) -> Counter {
            Counter(label: name, dimensions: [("role", role)] + labels)
        }
        received = counter("agentmesh_audit_records_received_total")
        stored = counter("agentmesh_audit_records_stored_total")
        duplicates = counter("agentmesh_audit_records_duplicate_total")
        rejected = counter("agentmesh_audit_records_rejected_total")
        storeErrors = counter("agentmesh_audit_store_errors_total")
        storeRefused = counter("agentmesh_audit_records_store_refused_total")
        deadLettered = counter("agentmesh_audit_records_dead_lettered_total")
        checkpoints = counter("agentmesh_audit_checkpoints_total")
        anchored = counter("agentmesh_audit_checkpoints_anchored_total")
        anchorFailures = counter("agentmesh_audit_anchor_failures_total")
        let byReason = "agentmesh_audit_records_rejected_by_reason_total"
        rejectedByReason = Dictionary(uniqueKeysWithValues: EnvelopeRejection.Reason.allCases.map {
            ($0.rawValue, counter(byReason, [("reason", $0.rawValue)]))
        })
        rejectedOtherwise = counter(byReason, [("reason", "other")])
    }

    func rejected(reason: String) -> Counter { rejectedByReason[reason] ?? rejectedOtherwise }
}
