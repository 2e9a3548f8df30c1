import MeshAgentHandlers
import MeshWire
import XCTest

final class ExampleHandlerTests: XCTestCase {
    func testCodingProducesSourceAndTestDeterministically() async {
        let handler = ExampleHandler(role: "coding")
        let first = await handler.handle(task(), context: context)
        let second = await handler.handle(task(), context: context)
        XCTAssertEqual(first, second)
        XCTAssertEqual(first.status, .completed)
        XCTAssertEqual(first.artifacts.map(\.name), ["Sources/AddPatientLookup/AddPatientLookup.swift",
                                                     "Tests/AddPatientLookupTests/AddPatientLookupTests.swift"])
        XCTAssertEqual(first.artifacts.map(\.mediaType), ["text/x-swift", "text/x-swift"])
        XCTAssertTrue(text(first.artifacts[0]).contains("public struct AddPatientLookup"))
        XCTAssertTrue(text(first.artifacts[1]).contains("@testable import AddPatientLookup"))
        XCTAssertEqual(first.summary, #"Example coding handler wrote 2 artifacts for "Add patient lookup by MRN" (attempt 1)"#)
    }

    func testArtifactHashesAreCorrect() async {
        for role in ExampleHandler.knownRoles + ["release"] {
            let outcome = await ExampleHandler(role: role).handle(task(role: role), context: context)
            XCTAssertEqual(outcome.status, .completed, role)
            XCTAssertFalse(outcome.artifacts.isEmpty, role)
            for artifact in outcome.artifacts {
                XCTAssertEqual(hex(artifact.sha256), pythonSHA256(artifact.content), "\(role) \(artifact.name)")
            }
        }
    }

    func testEachRoleHasItsShape() async {
        var names: [String: [String]] = [:]
        for role in ExampleHandler.knownRoles + ["release"] {
            names[role] = await ExampleHandler(role: role).handle(task(role: role), context: context).artifacts.map(\.name)
        }
        XCTAssertEqual(names["testing"], ["Tests/AddPatientLookupAcceptanceTests/AddPatientLookupAcceptanceTests.swift",
                                          "docs/test-plan-add-patient-lookup-by-mrn.md"])
        XCTAssertEqual(names["security"], ["security/add-patient-lookup-by-mrn-threat-model.md"])
        XCTAssertEqual(names["documentation"], ["docs/add-patient-lookup-by-mrn.md"])
        XCTAssertEqual(names["ux"], ["ux/add-patient-lookup-by-mrn-flow.md"])
        XCTAssertEqual(names["discovery"], ["discovery/add-patient-lookup-by-mrn-brief.md"])
        XCTAssertEqual(names["release"], ["notes/release-add-patient-lookup-by-mrn.md"])
    }

    func testInputsAndFeedbackAreReflected() async {
        let inputs = [Artifact(name: "spec.md", mediaType: "text/markdown", content: Array("spec".utf8))]
        let feedback = [Finding(ruleID: "review.todo", severity: .low, message: "remove TODO")]
        let outcome = await ExampleHandler(role: "documentation")
            .handle(task(role: "documentation", attempt: 2, inputs: inputs, feedback: feedback), context: context)
        let doc = text(outcome.artifacts[0])
        XCTAssertTrue(doc.contains("- `spec.md` (text/markdown, 4 bytes, sha256 \(pythonSHA256("spec".utf8).prefix(12)))"), doc)
        XCTAssertTrue(doc.contains("- addressed `review.todo`: remove TODO"))
        XCTAssertTrue(outcome.summary.hasSuffix("; addressed 1 finding (review.todo)"))
    }

    func testPHIOnFirstAttemptOnly() async {
        let handler = ExampleHandler(role: "coding")
        let instructions = "Add patient lookup [example:phi-on-first-attempt]"
        let first = await handler.handle(task(instructions: instructions), context: context)
        XCTAssertTrue(text(first.artifacts[0]).contains("SSN 512-38-7046"))
        let rework = await handler.handle(
            task(instructions: instructions, attempt: 2,
                 feedback: [Finding(ruleID: "hipaa.ssn", severity: .critical, message: "SSN in Sources/…", location: "x:2:30")]),
            context: context)
        XCTAssertEqual(rework.status, .completed)
        XCTAssertFalse(rework.artifacts.contains { text($0).contains(ExampleMarkers.fakeSSN) })
        XCTAssertTrue(text(rework.artifacts[0]).contains("<synthetic-patient-001>"))
        XCTAssertEqual(rework.artifacts[0].name, first.artifacts[0].name, "markers must not leak into names")
    }

    func testFakeSSNPassesTheSSAValidityRules() {
        let parts = ExampleMarkers.fakeSSN.split(separator: "-").map { Int($0)! }
        XCTAssertEqual(parts.count, 3)
        XCTAssertFalse([0, 666].contains(parts[0]) || parts[0] >= 900)
        XCTAssertNotEqual(parts[1], 0)
        XCTAssertNotEqual(parts[2], 0)
        XCTAssertNotEqual(ExampleMarkers.fakeSSN, "123-45-6789")
    }

    func testFailMarkers() async {
        let handler = ExampleHandler(role: "ux")
        let always = await handler.handle(task(role: "ux", instructions: "x [example:fail]", attempt: 3), context: context)
        XCTAssertEqual(always.status, .failed)
        XCTAssertEqual(always.error, "example ux handler failed on purpose ([example:fail])")
        let once = "x [example:fail-on-first-attempt]"
        let first = await handler.handle(task(role: "ux", instructions: once), context: context)
        XCTAssertEqual(first.status, .failed)
        let second = await handler.handle(task(role: "ux", instructions: once, attempt: 2), context: context)
        XCTAssertEqual(second.status, .completed)
    }

    func testSleepMarker() async {
        let started = ContinuousClock.now
        let outcome = await ExampleHandler(role: "ux").handle(task(role: "ux", instructions: "x [example:sleep=300ms]"), context: context)
        XCTAssertEqual(outcome.status, .completed)
        XCTAssertGreaterThanOrEqual(started.duration(to: .now), .milliseconds(300))
    }

    func testRejectMarkerAndNoTests() async {
        let outcome = await ExampleHandler(role: "coding")
            .handle(task(instructions: "Add lookup [example:reject-marker] [example:no-tests]"), context: context)
        XCTAssertEqual(outcome.artifacts.count, 1)
        XCTAssertTrue(text(outcome.artifacts[0]).hasSuffix("\n// DO NOT MERGE\n"))
        XCTAssertEqual(hex(outcome.artifacts[0].sha256), pythonSHA256(outcome.artifacts[0].content))
    }

    func testUnknownMarkerAndWrongRoleFail() async {
        let typo = await ExampleHandler(role: "coding").handle(task(instructions: "x [example:phi]"), context: context)
        XCTAssertEqual(typo.status, .failed)
        XCTAssertTrue(typo.error.hasPrefix("example marker [example:phi]: unknown marker; known:"), typo.error)
        let badSleep = await ExampleHandler(role: "coding").handle(task(instructions: "[example:sleep=forever]"), context: context)
        XCTAssertTrue(badSleep.error.contains("expected a duration"), badSleep.error)
        let wrongRole = await ExampleHandler(role: "ux").handle(task(role: "coding"), context: context)
        XCTAssertEqual(wrongRole.error, #"example ux handler received a task for role "coding""#)
    }

    func testMarkerParsing() throws {
        let markers = try ExampleMarkers(parsing: "  Do   [example:sleep=2s] the\nthing [example:no-tests]")
        XCTAssertEqual(markers.plainInstructions, "Do the thing")
        XCTAssertEqual(markers.sleep, .seconds(2))
        XCTAssertTrue(markers.noTests)
        XCTAssertThrowsError(try ExampleMarkers(parsing: "[example:fail"))
        XCTAssertThrowsError(try ExampleMarkers(parsing: "[example:requirements=]"))
    }

    func testRequirementsMarkerNamesTheRequirements() async {
        let traced = await ExampleHandler(role: "coding").handle(
            task(instructions: "Fix dosing [example:requirements=SRS-101,REQ-7]"), context: context)
        XCTAssertEqual(traced.status, .completed, traced.error)
        XCTAssertEqual(traced.attributes["requirement_ids"], "SRS-101,REQ-7")
        let untraced = await ExampleHandler(role: "coding").handle(task(instructions: "Fix dosing"), context: context)
        XCTAssertNil(untraced.attributes["requirement_ids"])
    }
}
