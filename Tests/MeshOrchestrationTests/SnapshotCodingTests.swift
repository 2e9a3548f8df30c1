import Foundation
import MeshOrchestration
import MeshWire
import XCTest

/// The changelog record format (``PlanSnapshot``): lossless, deterministic, backward
/// compatible with the JSON records of earlier builds, and safe on corrupt input.
final class SnapshotCodingTests: XCTestCase {
    /// The feature run's finished plan with every remaining field set to a non-default
    /// value, including ones no playbook produces (negative times, unknown wire numbers).
    func populatedPlan() -> PlanState {
        var plan = recordedFeatureRun().plan
        plan.objective.inputs = [Artifact(name: "spec.md", mediaType: "text/markdown", content: Array("# Spec ✓".utf8),
                                          sha256: Array(repeating: 0xab, count: 32))]
        plan.tasks[0].spec.approval = ApprovalPolicy(riskAtLeast: .high, findingSeverityAtLeast: .medium, deadlineMicros: -5)
        plan.tasks[1].spec.approval = ApprovalPolicy(riskAtLeast: nil, findingSeverityAtLeast: .critical, deadlineMicros: Int64.max)
        plan.tasks[1].state = TaskState(rawValue: 99)
        plan.tasks[1].detail = "naïve détail — \u{1F600}"
        plan.tasks[2].spec.riskClass = RiskClass(rawValue: -7)
        plan.tasks[2].spec.safetyClass = .c
        plan.tasks[3].spec.safetyClass = SafetyClass(rawValue: 12)
        plan.tasks[3].assignmentClassified = false
        plan.tasks[0].spec.modelBudget = TaskModelBudget(maxTokens: 1_234, maxCost: 0.05)
        let judged = plan.tasks.firstIndex { !$0.verdicts.isEmpty }!
        plan.tasks[judged].verdicts[0].approvalRequiredBy = ["part11-signature-high-risk", "iec62304-human-approval-class-c"]
        plan.approvals[0].deadlineUnixMicros = Int64.min
        plan.approvals[0].status = .expired
        return plan
    }

    func testEveryFieldRoundTrips() throws {
        let plan = populatedPlan()
        XCTAssertNotNil(plan.outcome)
        XCTAssertFalse(plan.approvals.isEmpty)
        XCTAssertTrue(plan.tasks.contains { !$0.verdicts.flatMap(\.findings).isEmpty })
        XCTAssertTrue(plan.tasks.contains { !($0.result?.sha256.isEmpty ?? true) })
        XCTAssertEqual(try PlanSnapshot.decode(PlanSnapshot.encode(plan)), plan)
    }

    func testEqualPlansGiveEqualBytesAndChangedPlansDifferentOnes() {
        let plan = populatedPlan()
        XCTAssertEqual(PlanSnapshot.encode(plan), PlanSnapshot.encode(populatedPlan()))
        var changed = plan
        changed.tasks[0].attempt += 1
        XCTAssertNotEqual(PlanSnapshot.encode(changed), PlanSnapshot.encode(plan))
        XCTAssertEqual(PlanSnapshot.encode(plan).first, UInt8(PlanSnapshot.formatVersion))
        var reclassified = plan
        reclassified.tasks[0].spec.safetyClass = .b
        XCTAssertNotEqual(PlanSnapshot.encode(reclassified), PlanSnapshot.encode(plan))
        var rebudgeted = plan
        rebudgeted.tasks[0].spec.modelBudget.maxCost = 0.5
        XCTAssertNotEqual(PlanSnapshot.encode(rebudgeted), PlanSnapshot.encode(plan))
    }

    /// A changelog written by an earlier build (format 1, JSON) still restores.
    func testJSONRecordsOfEarlierBuildsStillDecode() throws {
        let plan = populatedPlan()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = try encoder.encode(JSONRecord(format: 1, plan: plan))
        XCTAssertEqual(try PlanSnapshot.decode(Array(json)), plan)

        let other = try encoder.encode(JSONRecord(format: 9, plan: plan))
        XCTAssertThrowsError(try PlanSnapshot.decode(Array(other))) { error in
            XCTAssertEqual((error as? PlanSnapshot.UnsupportedVersion)?.found, 9)
        }
    }

    func testOtherBinaryVersionsAreRefused() {
        var bytes = PlanSnapshot.encode(populatedPlan())
        for version: UInt8 in [1, 6] {
            bytes[0] = version
            XCTAssertThrowsError(try PlanSnapshot.decode(bytes)) { error in
                XCTAssertEqual((error as? PlanSnapshot.UnsupportedVersion)?.found, Int(version))
            }
        }
    }

    /// A changelog record of format 2 (written by the build before safety classes) restores:
    /// the fields format 3 added read as unspecified and empty, everything else as written
    /// (compared with today's run of the same plan where results carry no new bytes), and the
    /// restored plan survives format 3 unchanged.
    func testFormat2RecordsOfEarlierBuildsStillDecode() throws {
        let record = try XCTUnwrap(Data(base64Encoded: SnapshotFixtures.format2PopulatedPlan))
        XCTAssertEqual(record.first, 2)
        let restored = try PlanSnapshot.decode(Array(record))
        XCTAssertEqual(restored.tasks.map(\.spec.safetyClass), Array(repeating: .unspecified, count: restored.tasks.count))
        XCTAssertTrue(restored.tasks.flatMap(\.verdicts).allSatisfy(\.approvalRequiredBy.isEmpty))
        XCTAssertFalse(restored.tasks.contains(where: \.assignmentClassified), "earlier builds assigned without classification")
        let today = populatedPlan()
        XCTAssertEqual(restored.objective, today.objective)
        XCTAssertEqual(restored.tasks.map(\.spec.id), today.tasks.map(\.spec.id))
        XCTAssertEqual(restored.tasks.map(\.state), today.tasks.map(\.state))
        XCTAssertEqual(restored.tasks.map(\.attempt), today.tasks.map(\.attempt))
        XCTAssertEqual(restored.tasks.map(\.spec.riskClass), today.tasks.map(\.spec.riskClass))
        XCTAssertEqual(restored.tasks.map(\.spec.approval), today.tasks.map(\.spec.approval))
        XCTAssertEqual(restored.tasks.map { $0.verdicts.map(\.findings) }, today.tasks.map { $0.verdicts.map(\.findings) })
        XCTAssertEqual(restored.approvals.map(\.status), today.approvals.map(\.status))
        XCTAssertEqual(restored.outcome, today.outcome)
        XCTAssertEqual(try PlanSnapshot.decode(PlanSnapshot.encode(restored)), restored)
    }

    /// Every truncation, trailing garbage and corrupted length is a typed error, never a trap.
    func testCorruptRecordsThrowMalformed() {
        let bytes = PlanSnapshot.encode(populatedPlan())
        for length in 1..<bytes.count {
            XCTAssertThrowsError(try PlanSnapshot.decode(Array(bytes[..<length])), "prefix of \(length) bytes") { error in
                XCTAssertTrue(error is PlanSnapshot.Malformed, "prefix of \(length) bytes: \(error)")
            }
        }
        XCTAssertThrowsError(try PlanSnapshot.decode(bytes + [0])) { error in
            XCTAssertEqual((error as? PlanSnapshot.Malformed)?.reason, "unexpected bytes after the plan")
        }
        var hugeLength = bytes
        hugeLength.replaceSubrange(1..<2, with: [0xff, 0xff, 0xff, 0xff, 0x0f])  // correlation id length
        XCTAssertThrowsError(try PlanSnapshot.decode(hugeLength)) { error in
            XCTAssertTrue(error is PlanSnapshot.Malformed, "\(error)")
        }
        XCTAssertThrowsError(try PlanSnapshot.decode([2] + Array(repeating: 0xff, count: 11))) { error in
            XCTAssertTrue(error is PlanSnapshot.Malformed, "\(error)")
        }
    }

    /// Any single flipped byte either decodes to some plan or throws; it never traps.
    func testFlippedBytesNeverTrap() {
        let bytes = PlanSnapshot.encode(populatedPlan())
        for index in bytes.indices {
            var corrupted = bytes
            corrupted[index] ^= 0x5a
            _ = try? PlanSnapshot.decode(corrupted)
        }
    }

    /// The binary form lists fields explicitly; a stored property added to one of these
    /// types without adding it to `PlanState+Snapshot.swift` would silently not survive a
    /// restart. If this fails, extend the snapshot codec, then the expected count.
    func testTheCodecCoversEveryStoredProperty() {
        let plan = populatedPlan()
        let task = plan.tasks.first { $0.result != nil && !$0.verdicts.isEmpty }!
        let expected: [(Any, Int)] = [
            (plan, 10), (plan.objective, 7), (plan.objective.parameters[0], 2), (plan.objective.inputs[0], 4),
            (task, 10), (task.spec, 11), (plan.tasks[0].spec.approval!, 3), (task.result!, 6), (task.verdicts[0], 8),
            (plan.tasks.flatMap(\.verdicts).flatMap(\.findings)[0], 4), (plan.approvals[0], 12), (plan.outcome!, 3),
        ]
        for (value, count) in expected {
            XCTAssertEqual(Mirror(reflecting: value).children.count, count, "stored properties of \(type(of: value))")
        }
    }

    private struct JSONRecord: Codable {
        var format: Int
        var plan: PlanState
    }
}
