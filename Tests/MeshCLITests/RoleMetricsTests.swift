import CoreMetrics
import MeshCLI
import MeshKafka
import MeshRuntime
import MeshTestSupport
import Prometheus
import XCTest

/// The runtime's metrics through swift-metrics into a Prometheus registry, read back by a
/// strict exposition-format parser.
final class RoleMetricsTests: XCTestCase {
    func page(_ registry: PrometheusCollectorRegistry) -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    func testCountersHistogramsAndGaugesReachTheBackendWithEscapedLabels() throws {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = RoleMetrics.durationBuckets.map { .nanoseconds(Int64($0 * 1e9)) }
        let metrics = RoleMetrics(role: "coding", factory: factory)
        metrics.increment(.consumed, topic: "odd\"topic\\with\nnewline")
        metrics.increment(.processed, topic: "mesh.tasks.coding", by: 3)
        metrics.deadLettered(topic: "mesh.tasks.coding", reason: "bad-signature")
        metrics.transaction(committed: true)
        metrics.transaction(committed: false)
        metrics.observeHandlerDuration(seconds: 0.02)
        metrics.observeHopLatency(topic: "mesh.tasks.coding", micros: 7_000)
        metrics.observeHopLatency(topic: "mesh.tasks.coding", micros: -5)  // skewed clocks: recorded as 0
        metrics.update(.init(ready: true, inFlight: 2, assignedPartitions: 6, rebalances: 1,
                             lag: [TopicPartition(topic: "mesh.tasks.coding", partition: 4): 9], held: 1,
                             role: [RoleGauge(name: "agentmesh_orchestrator_plans_overdue", help: "", value: 5)]))

        let parsed = try PrometheusExposition(parsing: page(registry))
        XCTAssertEqual(parsed.value("agentmesh_messages_consumed_total", ["role": "coding", "topic": "odd\"topic\\with\nnewline"]), 1)
        XCTAssertEqual(parsed.value("agentmesh_messages_processed_total", ["topic": "mesh.tasks.coding"]), 3)
        XCTAssertEqual(parsed.value("agentmesh_dead_letters_total", ["reason": "bad-signature"]), 1)
        XCTAssertEqual(parsed.value("agentmesh_transactions_total", ["outcome": "committed"]), 1)
        XCTAssertEqual(parsed.value("agentmesh_transactions_total", ["outcome": "aborted"]), 1)
        XCTAssertEqual(parsed.value("agentmesh_handler_duration_seconds_count", ["role": "coding"]), 1)
        XCTAssertEqual(parsed.value("agentmesh_handler_duration_seconds_bucket", ["le": "0.025"]), 1)
        XCTAssertEqual(parsed.value("agentmesh_hop_latency_seconds_count", ["topic": "mesh.tasks.coding"]), 2)
        XCTAssertEqual(parsed.value("agentmesh_hop_latency_seconds_bucket", ["le": "0.001"]), 1, "the negative one counts as 0")
        XCTAssertEqual(parsed.value("agentmesh_consumer_lag", ["topic": "mesh.tasks.coding", "partition": "4"]), 9)
        XCTAssertEqual(parsed.value("agentmesh_ready"), 1)
        XCTAssertEqual(parsed.value("agentmesh_orchestrator_plans_overdue"), 5)
        XCTAssertTrue(parsed.samples.allSatisfy { $0.labels["instance"] == nil }, "Prometheus sets instance from its target")

        // A partition that left takes its lag series with it.
        metrics.update(.init(ready: true, inFlight: 0, assignedPartitions: 0, rebalances: 2, lag: [:]))
        XCTAssertTrue(try PrometheusExposition(parsing: page(registry)).values("agentmesh_consumer_lag").isEmpty)
        XCTAssertEqual(metrics.total(.processed), 3, "totals stay readable for stats and the agent card")
    }

    func testTheParserRefusesWhatPrometheusWouldRefuse() {
        for bad in ["metric{a=\"1\" 2", "metric{a=1} 2", "1metric 2", "metric{a=\"x\\q\"} 1", "metric", "metric{a=\"1\",a=\"2\"} 3"] {
            XCTAssertThrowsError(try PrometheusExposition(parsing: bad), bad)
        }
    }
}
