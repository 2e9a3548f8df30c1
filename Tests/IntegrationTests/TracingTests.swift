import Foundation
import MeshSigning
import MeshTestSupport
import MeshTracing
import MeshWire
import XCTest

/// Distributed tracing through the real processes: `meshctl submit` and every role export
/// OTLP/HTTP to a receiver this test runs on loopback.
final class TracingTests: XCTestCase {
    var mesh: MeshHarness!
    var receiver: OTLPReceiver!

    override func setUp() async throws {
        receiver = try await OTLPReceiver()
        mesh = try await MeshHarness()
    }

    override func tearDown() async throws {
        mesh?.shutdown()
        try await receiver?.close()
    }

    private var exportEnvironment: [String: String] {
        ["OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint, "OTEL_BSP_SCHEDULE_DELAY": "200"]
    }

    private func startSingleTaskMesh() throws {
        try mesh.start("orchestrator-1", "mesh-orchestrator")
        try mesh.start("coding-1", "mesh-agent", ["--role", "coding"])
        try mesh.start("reviewer-1", "mesh-reviewer")
        try mesh.start("compliance-1", "mesh-compliance")
        try mesh.start("audit-sink-1", "mesh-audit-sink", ["--store", "sqlite:" + mesh.workspace.url.appendingPathComponent("audit.sqlite").path])
    }

    private func submitThroughMeshctl(_ environment: [String: String]) async throws -> String {
        let objective = mesh.workspace.url.appendingPathComponent("objective.yaml")
        try "title: Add allergy banner\ndescription: Show allergies.\nplaybook: single-task\n"
            .write(to: objective, atomically: true, encoding: .utf8)
        let submitted = try await runToCompletion(
            try Executables.url("meshctl"), ["submit", objective.path, "--home", mesh.home],
            workingDirectory: mesh.workspace.url, environment: environment)
        guard submitted.status == 0 else { throw HarnessError("meshctl submit failed: \(submitted.stderr)") }
        return submitted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testOneObjectiveIsOneTraceWithEveryHopLinkedAcrossTheProcesses() async throws {
        try await assertOneLinkedTrace(roleEnvironment: exportEnvironment)
    }

    /// In exactly-once mode outputs go through the transaction coordinator: same spans, same links.
    func testExactlyOnceRolesExportTheSameLinkedTrace() async throws {
        try await assertOneLinkedTrace(roleEnvironment: exportEnvironment.merging(["AGENTMESH_EXACTLY_ONCE": "true"]) { $1 })
    }

    private func assertOneLinkedTrace(roleEnvironment: [String: String]) async throws {
        mesh.roleEnvironment = roleEnvironment
        try startSingleTaskMesh()
        let correlationID = try await submitThroughMeshctl(exportEnvironment)
        let outcome = try await mesh.outcome(correlationID, timeout: .seconds(90))
        XCTAssertEqual(outcome.type, PayloadKind.planCompleted.rawValue, mesh.logs)

        // Every envelope of the objective stands for a send span some process exported.
        // (The observer reads the topics after mesh.objectives: the root comes from meshctl.)
        let envelopes = await mesh.envelopes(correlationID)
        XCTAssertGreaterThanOrEqual(envelopes.count, 7, "plan, task, result, two verdicts, status, completion")
        let traceID = try XCTUnwrap(TraceContext(traceparent: try XCTUnwrap(envelopes.first).traceparent)).traceID
        let expectedSends = Set(envelopes.map { TraceContext.spanID(of: $0.id) })
        // The audit sink, on the same runtime, continues the trace of every envelope it stores.
        let expectedStores = Set(envelopes.map { TraceContext.processSpanID(role: "audit-sink", envelope: $0.id) })
        var spans: [OTLPReceiver.ReceivedSpan] = []
        try await eventually("a send span and the audit sink's process span for each of the \(envelopes.count) envelopes of \(correlationID)") {
            spans = receiver.spans.filter { $0.span.string("agentmesh.correlation_id") == correlationID }
            return expectedSends.isSubset(of: Set(spans.filter { $0.span.kind == 4 }.map(\.span.spanId)))
                && expectedStores.isSubset(of: Set(spans.filter { $0.service == "audit-sink" && $0.span.kind == 5 }.map(\.span.spanId)))
        }

        XCTAssertEqual(Set(spans.map(\.span.traceId)), [traceID], "one trace id for the whole objective")
        let byID = Dictionary(spans.map { ($0.span.spanId, $0) }, uniquingKeysWith: { first, _ in first })
        XCTAssertEqual(byID.count, spans.count, "no span exported twice")
        XCTAssertTrue(Set(["meshctl", "orchestrator", "coding", "reviewer", "compliance", "audit-sink"]).isSubset(of: Set(spans.map(\.service))),
                      "services: \(Set(spans.map(\.service)))")

        let roots = spans.filter { $0.span.parentSpanId == nil }
        XCTAssertEqual(roots.map(\.service), ["meshctl"], "the trace starts at meshctl submit")
        let rootID = try XCTUnwrap(roots.first?.span.string("messaging.message.id"))
        XCTAssertEqual(roots.first?.span.spanId, TraceContext.spanID(of: rootID))
        XCTAssertEqual(traceID, TraceContext.root(envelope: rootID, correlationID: correlationID).traceID)
        XCTAssertEqual(roots.first?.span.name, "send mesh.objectives")

        var crossProcessLinks = 0
        for received in spans {
            let span = received.span
            XCTAssertEqual(span.string("messaging.system"), "kafka", span.name)
            XCTAssertNotNil(span.string("messaging.destination.name"), span.name)
            XCTAssertNotNil(span.string("messaging.message.id"), span.name)
            XCTAssertNotNil(span.int("messaging.kafka.destination.partition"), span.name)
            XCTAssertNotNil(span.int("messaging.kafka.offset"), span.name)
            guard let parentID = span.parentSpanId else { continue }
            let parent = try XCTUnwrap(byID[parentID], "\(received.service) \(span.name): parent \(parentID) was exported")
            switch span.kind {
            case 5:  // a role processing an input: the child of the send span of the process that produced it
                XCTAssertEqual(span.name, "process \(span.string("messaging.destination.name") ?? "")")
                XCTAssertEqual(span.string("messaging.operation.type"), "process")
                XCTAssertNotNil(span.string("messaging.consumer.group.name"))
                XCTAssertEqual(parent.span.kind, 4, "\(span.name) follows a send")
                XCTAssertEqual(parent.span.string("messaging.message.id"), span.string("messaging.message.id"),
                               "the send of the very envelope processed")
                XCTAssertEqual(span.spanId, TraceContext.processSpanID(role: received.service,
                                                                       envelope: span.string("messaging.message.id") ?? ""))
                if parent.service != received.service { crossProcessLinks += 1 }
            case 4:  // an output: the child of the process span of its cause, in the same process
                XCTAssertEqual(span.string("messaging.operation.type"), "send")
                XCTAssertEqual(parent.span.kind, 5, "\(span.name) follows a process span")
                XCTAssertEqual(parent.service, received.service)
                XCTAssertEqual(span.spanId, TraceContext.spanID(of: span.string("messaging.message.id") ?? ""))
            default:
                XCTFail("unexpected span kind \(span.kind) of \(span.name)")
            }
        }
        // meshctl → orchestrator → coding → orchestrator → reviewer, compliance → orchestrator.
        XCTAssertGreaterThanOrEqual(crossProcessLinks, 6)
        print("traced \(correlationID): \(spans.count) spans from \(Set(spans.map(\.service)).sorted()), "
              + "\(crossProcessLinks) links across processes")
        for role in ["orchestrator", "coding", "reviewer", "compliance", "audit-sink"] {
            XCTAssertTrue(spans.contains { $0.service == role && $0.span.kind == 5 }, "\(role) exported a process span")
        }

    }

    func testWithTracingOffByDefaultNothingIsExported() async throws {
        // The endpoint is set but no exporter is chosen: tracing stays off.
        let environment = ["OTEL_TRACES_EXPORTER": "", "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint]
        mesh.roleEnvironment = environment
        try startSingleTaskMesh()
        let correlationID = try await submitThroughMeshctl(environment)
        let outcome = try await mesh.outcome(correlationID, timeout: .seconds(90))
        XCTAssertEqual(outcome.type, PayloadKind.planCompleted.rawValue, mesh.logs)
        // Every role has stopped (and would have flushed an exporter) before the count is read.
        for name in ["orchestrator-1", "coding-1", "reviewer-1", "compliance-1", "audit-sink-1"] {
            let stopped = await mesh.stop(name)
            XCTAssertTrue(stopped, name)
        }
        XCTAssertEqual(receiver.requestCount, 0)
    }
}
