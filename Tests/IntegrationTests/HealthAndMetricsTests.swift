import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MeshKafka
import MeshRuntime
import MeshSigning
import MeshTestSupport
import MeshTransport
import MeshWire
import XCTest

/// `/livez`, `/readyz` and `/metrics` of running role processes.
final class HealthAndMetricsTests: XCTestCase {
    var mesh: MeshHarness!

    override func setUp() async throws {
        mesh = try await MeshHarness()
    }

    override func tearDown() async throws {
        mesh?.shutdown()
    }

    func testMetricsCountWhatFlowedAndLagDrainsToZero() async throws {
        try mesh.startStandardMesh(agentRoles: ["coding"])
        var objectives: [String] = []
        for index in 0..<10 { objectives.append(try await mesh.submit(playbook: "single-task", title: "Metric \(index)")) }
        for objective in objectives { _ = try await mesh.outcome(objective) }
        let results = await mesh.observed.values.filter { $0.result != nil }.count
        XCTAssertEqual(results, 10)

        let live = try await mesh.get("reviewer-1", "/livez")
        XCTAssertEqual(live.status, 200)
        let ready = try await mesh.get("reviewer-1", "/readyz")
        XCTAssertEqual(ready.status, 200)
        let metrics = try PrometheusExposition(parsing: try await mesh.get("reviewer-1", "/metrics").body)
        let reviewer = ["role": "reviewer"]
        let total = Double(results)
        XCTAssertEqual(metrics.value("agentmesh_messages_consumed_total", reviewer.merging(["topic": "mesh.results"]) { $1 }), total)
        XCTAssertEqual(metrics.value("agentmesh_messages_processed_total", ["topic": "mesh.results"]), total)
        XCTAssertEqual(metrics.value("agentmesh_messages_published_total", ["topic": "mesh.verdicts"]), total)
        XCTAssertEqual(metrics.value("agentmesh_handler_duration_seconds_count", reviewer), total)
        XCTAssertEqual(metrics.value("agentmesh_hop_latency_seconds_count", ["topic": "mesh.results"]), total,
                       "end-to-end latency of every hop into the reviewer")
        XCTAssertEqual(metrics.value("agentmesh_assigned_partitions", reviewer), 12)
        XCTAssertTrue(metrics.samples.allSatisfy { $0.labels["instance"] == nil }, "Prometheus names the instance from its target")

        // Every role's page parses, and libraries' metrics reach it through swift-metrics.
        for role in ["orchestrator-1", "coding-1", "compliance-1"] {
            let page = try PrometheusExposition(parsing: try await mesh.get(role, "/metrics").body)
            XCTAssertNotNil(page.types["agentmesh_messages_processed_total"], role)
        }
        let compliance = try PrometheusExposition(parsing: try await mesh.get("compliance-1", "/metrics").body)
        XCTAssertEqual(compliance.values("agentmesh_compliance_verdicts_total").reduce(0, +), total, "one compliance verdict per result")

        // librdkafka reports lag every 5 s; once the backlog is committed it is zero everywhere.
        try await eventually("the reviewer's lag is reported and zero", timeout: .seconds(30)) {
            guard let body = try? await self.mesh.get("reviewer-1", "/metrics").body,
                  let page = try? PrometheusExposition(parsing: body) else { return false }
            let lags = page.values("agentmesh_consumer_lag")
            return lags.count == 12 && lags.allSatisfy { $0 == 0 }
        }
        try await everyDashboardSeriesIsServed()
    }

    /// Makes the rarer series appear (a compliance finding, a record that fails verification,
    /// an envelope the catalog refuses) and then checks that every series the Grafana
    /// dashboard queries is on some role's `/metrics`. Exempt: the transaction counter, which
    /// only exactly-once roles report (its name is checked in `RoleMetricsTests`), and the id
    /// conflict counter (a ``RoleMetrics/Counter`` case like every other `messages_` series),
    /// and the model series (checked against model-backed agents in `ModelBackedAgentTests`).
    private func everyDashboardSeriesIsServed() async throws {
        let phi = try await mesh.submit(playbook: "single-task", title: "Findings", description: "[example:phi-on-first-attempt]")
        _ = try await mesh.outcome(phi)
        let producer = try KafkaProducer(configuration: try mesh.kafkaConfiguration(), logger: mesh.logger)
        defer { producer.close() }
        try await producer.send(OutgoingMessage(topic: "mesh.results", key: Array("obj-garbage".utf8), value: Array("not an envelope".utf8)))
        let rogue = Envelope(
            source: SourcePath.make(role: "coding", instance: "rogue"), correlationID: phi,
            payload: .verdict(Verdict(taskID: "code", planID: "p", attempt: 1, kind: .review, decision: .approve, resultEnvelopeID: "", reviewerID: "coding")))
        try await mesh.publish(rogue, to: "mesh.verdicts", as: "coding")

        let roles = ["orchestrator-1", "coding-1", "reviewer-1", "compliance-1"]
        var served: Set<String> = []
        try await eventually("findings, dead letters and refusals are counted", timeout: .seconds(30)) {
            served = []
            for role in roles {
                guard let body = try? await self.mesh.get(role, "/metrics").body, let page = try? PrometheusExposition(parsing: body) else {
                    return false
                }
                served.formUnion(page.samples.map(\.name))
            }
            return ["agentmesh_compliance_findings_total", "agentmesh_dead_letters_total", "agentmesh_messages_unauthorized_total"]
                .allSatisfy(served.contains)
        }
        let exempt: Set = [RoleMetrics.transactionsSeries, RoleMetrics.Counter.idConflict.seriesName]
        let queried = DashboardFile.expressions(try DashboardFile.load()).reduce(into: Set<String>()) { $0.formUnion(DashboardFile.series(in: $1)) }
        XCTAssertGreaterThanOrEqual(queried.count, 10)
        // Model series come from model-backed agents only: `ModelBackedAgentTests` checks those.
        XCTAssertEqual(queried.subtracting(served).subtracting(exempt).filter { !$0.hasPrefix("agentmesh_model_") }, [],
                       "dashboard series no role serves")
    }

    func testReadyzTurnsUnreadyDuringDrainAndTheProcessExitsWithItsWorkDone() async throws {
        try mesh.start("orchestrator-1", "mesh-orchestrator")
        try mesh.start("coding-1", "mesh-agent", ["--role", "coding", "--drain-seconds", "15"])
        try mesh.start("reviewer-1", "mesh-reviewer")
        try mesh.start("compliance-1", "mesh-compliance")
        try await eventually("the agent is ready") { (try? await self.mesh.get("coding-1", "/readyz").status) == 200 }
        let objective = try await mesh.submit(playbook: "single-task", title: "Drain me", description: "[example:sleep=4s]")
        _ = try await mesh.first(objective) { $0.assignment != nil }
        try await Task.sleep(for: .seconds(1))  // the agent is now inside the 4 s handler
        let port = try await mesh.healthPort("coding-1")
        mesh.roles["coding-1"]?.signal(SIGTERM)
        try await eventually("readyz reports unready while draining", timeout: .seconds(3)) {
            let url = URL(string: "http://127.0.0.1:\(port)/readyz")!
            guard let (_, response) = try? await URLSession.shared.data(from: url) else { return false }
            return (response as? HTTPURLResponse)?.statusCode == 503
        }
        let exited = await mesh.roles["coding-1"]!.waitForExit(timeout: .seconds(15))
        XCTAssertTrue(exited, "the agent exits within its drain grace")
        XCTAssertEqual(mesh.roles["coding-1"]?.exitCode, 0)
        let result = await mesh.envelopes(objective).first { $0.result != nil }
        XCTAssertNotNil(result, "the in-flight task was finished and its result published before exit")
    }
}
