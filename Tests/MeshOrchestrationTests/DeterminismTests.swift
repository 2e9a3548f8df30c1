import MeshOrchestration
import MeshWire
import XCTest

final class DeterminismTests: XCTestCase {
    func encoded(_ outputs: [Output]) throws -> [[UInt8]] {
        try outputs.map { try EnvelopeCodec().encode($0.envelope) }
    }

    func testTwoReplaysGiveByteIdenticalOutputsAndEqualState() throws {
        let run = recordedFeatureRun()
        let orchestrator = Orchestrator(playbooks: shippedLibrary)
        let (state1, outputs1) = orchestrator.replay(events: run.events)
        let (state2, outputs2) = orchestrator.replay(events: run.events)
        XCTAssertEqual(try encoded(outputs1), try encoded(outputs2))
        XCTAssertEqual(state1, state2)
        XCTAssertEqual(outputs1, run.outputs, "replay equals the live run")
        XCTAssertEqual(state1, run.state)
        XCTAssertEqual(PlanSnapshot.encode(state1.plan(run.correlationID)!),
                       PlanSnapshot.encode(state2.plan(run.correlationID)!))
    }

    func testSnapshotRestoreMidPlanEqualsTheUninterruptedRun() throws {
        let run = recordedFeatureRun()
        let orchestrator = Orchestrator(playbooks: shippedLibrary)
        for cut in [1, 4, 7, run.events.count - 1] {
            let (partial, early) = orchestrator.replay(events: Array(run.events[..<cut]))
            let bytes = PlanSnapshot.encode(partial.plan(run.correlationID)!)
            let restored = OrchestratorState().replacing(plan: try PlanSnapshot.decode(bytes))
            XCTAssertEqual(restored, partial)
            let (final, late) = orchestrator.replay(events: Array(run.events[cut...]), from: restored)
            XCTAssertEqual(final, run.state, "cut at \(cut)")
            XCTAssertEqual(try encoded(early + late), try encoded(run.outputs), "cut at \(cut)")
        }
    }

    func testRestoredPlanDoesNotNeedThePlaybookAnymore() throws {
        let run = Harness()
        run.submit("single-task")
        let snapshot = PlanSnapshot.encode(run.plan)
        let bare = Orchestrator(playbooks: PlaybookLibrary([]))
        var state = OrchestratorState().replacing(plan: try PlanSnapshot.decode(snapshot))
        let result = Envelope(
            id: "r", source: "/a", correlationID: run.correlationID, attributes: run.task("code").spec.classification.attributes,
            payload: .taskResult(TaskResult(taskID: "code", planID: run.planID, state: .completed, agentID: "a")))
        (state, _) = bare.handle(state, result)
        XCTAssertNotNil(state.plan(run.correlationID)?.task("code")?.result)
    }

    func testCompareAcceptsTheRecordedLog() {
        let run = recordedFeatureRun()
        let report = Orchestrator(playbooks: shippedLibrary).compare(events: run.events, recorded: run.outputs.map(\.envelope))
        XCTAssertTrue(report.isFaithful, report.divergence?.description ?? "")
        XCTAssertEqual(report.eventsReplayed, run.events.count)
        XCTAssertEqual(report.outputsCompared, run.outputs.count)
        XCTAssertEqual(report.state, run.state)
    }

    func testCompareReportsTheFirstDivergingOutput() throws {
        let run = recordedFeatureRun()
        var recorded = run.outputs.map(\.envelope)
        let tampered = try XCTUnwrap(recorded.firstIndex { $0.payload.kind == .taskAssigned && $0.subject == "test" })
        if case .taskAssigned(var assigned) = recorded[tampered].payload {
            assigned.instructions = "do something else"
            recorded[tampered].payload = .taskAssigned(assigned)
        }
        let report = Orchestrator(playbooks: shippedLibrary).compare(events: run.events, recorded: recorded)
        let divergence = try XCTUnwrap(report.divergence)
        XCTAssertEqual(divergence.eventID, recorded[tampered].causationID)
        guard case .differs(_, _, let field) = divergence.kind else { return XCTFail("\(divergence)") }
        XCTAssertEqual(field, "payload")
        XCTAssertTrue(divergence.description.contains("differs from the log in payload"))
    }

    func testCompareReportsMissingAndUnexplainedOutputs() throws {
        let run = recordedFeatureRun()
        let orchestrator = Orchestrator(playbooks: shippedLibrary)
        var missing = run.outputs.map(\.envelope)
        let dropped = missing.remove(at: 3)
        let first = try XCTUnwrap(orchestrator.compare(events: run.events, recorded: missing).divergence)
        XCTAssertEqual(first.kind, .missingFromLog(recomputed: dropped))

        var extra = run.outputs.map(\.envelope)
        var stray = extra[1]
        stray.id = "not-derived"
        extra.append(stray)
        let second = try XCTUnwrap(orchestrator.compare(events: run.events, recorded: extra).divergence)
        XCTAssertEqual(second.kind, .unexplained(recorded: stray))
        XCTAssertEqual(second.eventIndex, 0)
    }

    func testCompareChecksExpiryDecisions() throws {
        let h = Harness()
        h.submit("approval")
        h.pass("change")
        let deadline = h.plan.pendingApprovals[0].deadlineUnixMicros
        let expiry = Orchestrator.expiredApprovals(h.state, nowMicros: deadline)[0]
        h.apply(expiry.envelope)
        let orchestrator = Orchestrator(playbooks: shippedLibrary)
        let recorded = (h.outputs + [expiry]).map(\.envelope)
        XCTAssertTrue(orchestrator.compare(events: h.events, recorded: recorded).isFaithful)

        var events = h.events
        events.insert(expiry.envelope, at: 2)  // before the approval was even requested
        let report = orchestrator.compare(events: events, recorded: recorded)
        XCTAssertEqual(report.divergence?.kind, .unjustifiedExpiry(expiry.envelope))
    }
}
