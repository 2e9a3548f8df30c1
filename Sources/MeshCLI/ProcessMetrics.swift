import CoreMetrics
import MeshRuntime
import Prometheus

/// The process's metrics backend: swift-metrics bootstrapped with a Prometheus registry, so
/// whatever any library reports through the swift-metrics API (the runtime's counters, the
/// compliance worker's findings, a model handler's tokens) appears on the role's `/metrics`.
public enum ProcessMetrics {
    /// Bootstrapped on first use; `MetricsSystem.bootstrap` may run only once per process.
    public static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = RoleMetrics.durationBuckets.map { .nanoseconds(Int64($0 * 1e9)) }
        MetricsSystem.bootstrap(factory)
        return registry
    }()

    /// Call first thing in an executable, before anything creates a metric (a metric made
    /// before the bootstrap reports to nowhere).
    public static func bootstrap() { _ = registry }

    /// The Prometheus text exposition of every metric of the process.
    public static func page() -> String {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16_384)
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
