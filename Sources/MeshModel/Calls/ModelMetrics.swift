import Foundation
import MeshRuntime

/// Counters of one agent's model calls, rendered on the role's `/metrics` page: tokens, cost,
/// latency and errors by class.
public final class ModelMetrics: @unchecked Sendable {
    private let lock = NSLock()
    private var calls = 0
    private var promptTokens = 0
    private var completionTokens = 0
    private var costMicros = 0
    private var latencyMilliseconds = 0
    private var errors: [String: Int] = [:]
    private var guardRefusals = 0

    /// Error classes always rendered (at 0 too), so dashboards see every series from the start.
    static let errorClasses = ["rate_limited", "server", "rejected", "timeout", "connection", "malformed",
                               "circuit_open", "invalid_answer", "budget_exceeded"]

    public init() {}

    func record(_ call: ModelCallRecord) {
        lock.withLock {
            calls += 1
            promptTokens += call.promptTokens
            completionTokens += call.completionTokens
            costMicros += Int((call.cost * 1_000_000).rounded())
            latencyMilliseconds += call.latencyMilliseconds
        }
    }

    func recordError(_ errorClass: String) { lock.withLock { errors[errorClass, default: 0] += 1 } }

    func recordRefusal() { lock.withLock { guardRefusals += 1 } }

    /// Errors of `errorClass` so far.
    public func errorCount(_ errorClass: String) -> Int { lock.withLock { errors[errorClass] ?? 0 } }

    /// The counters as gauges of the role's metrics page.
    public func gauges() -> [RoleGauge] {
        lock.withLock {
            var gauges = [
                RoleGauge(name: "agentmesh_model_calls_total", help: "HTTP exchanges with the model endpoint.", value: calls),
                RoleGauge(name: "agentmesh_model_prompt_tokens_total", help: "Prompt tokens the endpoint reported.", value: promptTokens),
                RoleGauge(name: "agentmesh_model_completion_tokens_total", help: "Completion tokens the endpoint reported.", value: completionTokens),
                RoleGauge(name: "agentmesh_model_cost_micros_total", help: "Cost from the definition's price table, in millionths.", value: costMicros),
                RoleGauge(name: "agentmesh_model_latency_milliseconds_total", help: "Time spent waiting for the endpoint.", value: latencyMilliseconds),
                RoleGauge(name: "agentmesh_model_egress_refusals_total", help: "Requests the egress guard refused (live secrets).", value: guardRefusals),
            ]
            for errorClass in Self.errorClasses {
                gauges.append(RoleGauge(name: "agentmesh_model_errors_\(errorClass)_total",
                                        help: "Model calls or answers that failed as \(errorClass).", value: errors[errorClass] ?? 0))
            }
            return gauges
        }
    }
}
