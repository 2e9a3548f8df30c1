import CoreMetrics
import Foundation

/// One agent's model calls, reported through swift-metrics (the executable's backend puts
/// them on the role's `/metrics`):
/// - `agentmesh_model_calls_total{model}`: HTTP exchanges with the endpoint;
/// - `agentmesh_model_tokens_total{model,kind}`: prompt and completion tokens it reported;
/// - `agentmesh_model_cost_total{model}`: cost from the definition's price table;
/// - `agentmesh_model_latency_seconds{model}` (histogram): time waiting for the endpoint;
/// - `agentmesh_model_errors_total{class}`: failed calls or answers by class;
/// - `agentmesh_model_egress_refusals_total`: requests the egress guard refused.
/// Error counts are also kept here for tests and logs.
public final class ModelMetrics: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [String: Int] = [:]
    private let factory: any MetricsFactory

    /// Error classes reported from the start (at 0), so dashboards see every series at once.
    static let errorClasses = ["rate_limited", "server", "rejected", "timeout", "connection", "malformed",
                               "circuit_open", "invalid_answer", "budget_exceeded"]

    /// `factory`: the metrics backend; by default the process's.
    public init(factory: (any MetricsFactory)? = nil) {
        self.factory = factory ?? MetricsSystem.factory
        for errorClass in Self.errorClasses { _ = errorCounter(errorClass) }
        _ = Counter(label: "agentmesh_model_egress_refusals_total", factory: self.factory)
    }

    func record(_ call: ModelCallRecord, model: String) {
        let labels = [("model", model)]
        Counter(label: "agentmesh_model_calls_total", dimensions: labels, factory: factory).increment()
        Counter(label: "agentmesh_model_tokens_total", dimensions: labels + [("kind", "prompt")], factory: factory)
            .increment(by: call.promptTokens)
        Counter(label: "agentmesh_model_tokens_total", dimensions: labels + [("kind", "completion")], factory: factory)
            .increment(by: call.completionTokens)
        FloatingPointCounter(label: "agentmesh_model_cost_total", dimensions: labels, factory: factory).increment(by: call.cost)
        Timer(label: "agentmesh_model_latency_seconds", dimensions: labels, factory: factory)
            .recordMilliseconds(call.latencyMilliseconds)
    }

    func recordError(_ errorClass: String) {
        lock.withLock { errors[errorClass, default: 0] += 1 }
        errorCounter(errorClass).increment()
    }

    func recordRefusal() { Counter(label: "agentmesh_model_egress_refusals_total", factory: factory).increment() }

    /// Errors of `errorClass` so far.
    public func errorCount(_ errorClass: String) -> Int { lock.withLock { errors[errorClass] ?? 0 } }

    private func errorCounter(_ errorClass: String) -> Counter {
        Counter(label: "agentmesh_model_errors_total", dimensions: [("class", errorClass)], factory: factory)
    }
}
