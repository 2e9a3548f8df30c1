import MeshSigning
import MeshWire
import XCTest

final class TraceContextTests: XCTestCase {
    let valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

    func testParsesTheW3CExampleAndPrintsItBack() throws {
        let context = try XCTUnwrap(TraceContext(traceparent: valid))
        XCTAssertEqual(context.traceID, "4bf92f3577b34da6a3ce929d0e0e4736")
        XCTAssertEqual(context.spanID, "00f067aa0ba902b7")
        XCTAssertTrue(context.isSampled)
        XCTAssertEqual(context.traceparent, valid)
    }

    func testRefusesWhatTheW3CRulesSayToIgnore() {
        let refused = [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",  // no flags
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // upper case
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // all-zero trace id
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // all-zero span id
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // forbidden version
            valid + "-extra",  // version 00 has no further fields
            "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
        ]
        for value in refused { XCTAssertNil(TraceContext(traceparent: value), value) }
        XCTAssertNotNil(TraceContext(traceparent: "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-later"),
                        "a later version's extra fields are accepted")
    }

    func testAnOutputContinuesItsCausesTraceWithASpanOfItsOwnId() throws {
        let cause = Envelope(id: "cause", source: "/mesh/orchestrator", correlationID: "obj-1", traceparent: valid,
                             payload: .agentHeartbeat(AgentHeartbeat(agentID: "x-1", role: "x")))
        let output = try XCTUnwrap(TraceContext(traceparent: TraceContext.traceparent(ofOutput: "out-1", causedBy: cause)))
        XCTAssertEqual(output.traceID, "4bf92f3577b34da6a3ce929d0e0e4736")
        XCTAssertEqual(output.spanID, TraceContext.spanID(of: "out-1"))
        XCTAssertTrue(output.isSampled)
        XCTAssertEqual(TraceContext.traceparent(ofOutput: "out-1", causedBy: cause), output.traceparent, "deterministic")
        XCTAssertNotEqual(TraceContext.spanID(of: "out-2"), output.spanID)

        var unsampled = cause
        unsampled.traceparent = String(valid.dropLast(2)) + "00"
        XCTAssertFalse(TraceContext(traceparent: TraceContext.traceparent(ofOutput: "out-1", causedBy: unsampled))!.isSampled,
                       "the caller's sampling decision is kept")
    }

    func testACauseWithoutContextStillYieldsTheObjectivesTrace() throws {
        let root = TraceContext.root(envelope: "submit-1", correlationID: "obj-1")
        var cause = Envelope(id: "cancel-1", source: "/mesh/meshctl", correlationID: "obj-1",
                             payload: .agentHeartbeat(AgentHeartbeat(agentID: "x-1", role: "x")))
        cause.traceparent = "garbage"
        let output = try XCTUnwrap(TraceContext(traceparent: TraceContext.traceparent(ofOutput: "out", causedBy: cause)))
        XCTAssertEqual(output.traceID, root.traceID, "one objective, one trace")
        XCTAssertNotEqual(TraceContext.root(envelope: "submit-2", correlationID: "obj-2").traceID, root.traceID)
        XCTAssertEqual(root.spanID, TraceContext.spanID(of: "submit-1"))
        XCTAssertTrue(root.isSampled)
    }

    func testProcessSpansDifferByRoleAndFromTheEnvelopesOwnSpan() {
        let reviewer = TraceContext.processSpanID(role: "reviewer", envelope: "r-1")
        XCTAssertEqual(reviewer.count, 16)
        XCTAssertNotEqual(reviewer, TraceContext.processSpanID(role: "compliance", envelope: "r-1"))
        XCTAssertNotEqual(reviewer, TraceContext.spanID(of: "r-1"))
    }
}
