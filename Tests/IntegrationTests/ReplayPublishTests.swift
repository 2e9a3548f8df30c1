import Foundation
import MeshAudit
import MeshKafka
import MeshSigning
import MeshTestSupport
import MeshTransport
import MeshWire
import XCTest

/// `meshctl replay --to`, `--into-mesh` and `--dry-run` against `meshctl broker`.
final class ReplayPublishTests: ReplayTestCase {
    override func setUp() async throws {
        try await super.setUp()
        try await startBroker()
    }

    func testSideTopicReplayReproducesTheRecordedSequenceByteForByte() async throws {
        let recorder = try makeRecorder()
        _ = try recorder.completed()  // another objective in the same store: not replayed
        let objective = try recorder.reworked()
        let records = try recorder.store.records(correlationID: objective.correlationID)

        let run = try await replay(objective.correlationID, ["--to", "replay.incident-42", "--reason", "incident 42",
                                                             "--requested-by", "dana"])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("replayed \(records.count) envelopes of obj-reworked to replay.incident-42"), run.stdout)

        let requests = try await replayRequests(count: 1)
        let request = try XCTUnwrap(requests.first)
        XCTAssertEqual(request.request.mode, "side-topic")
        XCTAssertEqual(request.request.targetTopic, "replay.incident-42")
        XCTAssertEqual(request.request.requestedBy, "dana")
        XCTAssertEqual(request.request.reason, "incident 42")
        XCTAssertEqual(request.request.envelopeCount, UInt32(records.count))
        XCTAssertEqual(request.request.firstSequence, UInt64(records.first!.sequence))
        XCTAssertEqual(request.request.lastSequence, UInt64(records.last!.sequence))
        XCTAssertEqual(request.signer, "meshctl")
        XCTAssertEqual(request.envelope.source, "/mesh/meshctl/dana")

        let replayed = try await read("replay.incident-42", count: records.count)
        XCTAssertEqual(replayed.count, records.count, "nothing more, nothing less")
        XCTAssertEqual(replayed.map(\.value), records.map(\.input.raw), "values byte for byte, in recorded order")
        let opener = EnvelopeOpener(trust: try KeyRingStore.loadTrustStore(from: home + "/keys"))
        for (message, record) in zip(replayed, records) {
            XCTAssertEqual(message.key, Array("obj-reworked".utf8))
            let headers = message.headers
            XCTAssertEqual(headers.string("ce_id"), record.input.envelopeID)
            XCTAssertEqual(headers.string("ce_type"), record.input.type)
            XCTAssertEqual(headers.string("ce_correlationid"), "obj-reworked")
            XCTAssertEqual(headers.string("content-type"), CloudEventHeaders.contentType)
            XCTAssertEqual(headers.string(ReplayMarker.replayID), request.request.replayID)
            XCTAssertEqual(headers.string(ReplayMarker.sourceTopic), record.input.kafka.topic)
            XCTAssertEqual(headers.string(ReplayMarker.sourceOffset), String(record.input.kafka.offset))
            XCTAssertEqual(headers.string(ReplayMarker.auditSequence), String(record.sequence))
            let opened = try opener.open(message.value).get()
            XCTAssertEqual(opened.envelope.id, record.input.envelopeID, "the original signature still verifies")
        }

        // Once the sink has stored the replay record, later replays list it but never resend it.
        let sink = try recorder.sealer("meshctl")
        try recorder.append(request.envelope, sealed: try sink.seal(request.envelope), topic: "mesh.operations", signer: sink)
        let dry = try await replay(objective.correlationID, ["--dry-run"])
        XCTAssertEqual(dry.status, 0, dry.stdout + dry.stderr)
        XCTAssertTrue(dry.stdout.contains("would re-publish \(records.count) envelopes"), dry.stdout)
        XCTAssertTrue(dry.stdout.contains("not replayed: \(records.last!.sequence + 1) agentmesh.replay.requested.v1 "
                                          + "\(request.envelope.id): an earlier replay's record"), dry.stdout)
    }

    func testDryRunListsTheRecordedEnvelopesInOrderAndPublishesOnlyTheReplayRecord() async throws {
        let recorder = try makeRecorder()
        let objective = try recorder.approved()
        // A forgery the sink stored as rejected: listed as not replayed.
        let forged = objective.envelope(source: "/mesh/reviewer/r-9", .verdict(Verdict(
            taskID: "change", planID: objective.plan.planID, kind: .review, decision: .approve, resultEnvelopeID: "x",
            reviewerID: "r-9")))
        _ = try recorder.store.append([AuditRecordInput(
            raw: Array("not really sealed".utf8), envelopeID: forged.id, type: forged.type, source: forged.source,
            subject: "", correlationID: objective.correlationID, causationID: "", eventTimeMicros: forged.timeUnixMicros,
            verification: .rejected(reason: "unknown key r-9"),
            kafka: KafkaCoordinates(topic: "mesh.verdicts", partition: 0, offset: 999, timestampMillis: 0))])
        let records = try recorder.store.records(correlationID: objective.correlationID)
        let expected = records.filter { $0.input.verification.isVerified }

        // The store comes from AGENTMESH_AUDIT_STORE this time.
        let run = try await replay(objective.correlationID, ["--dry-run", "--reason", "what would go out?"],
                                   environment: ["USER": "erin", "AGENTMESH_AUDIT_STORE": "sqlite:\(storePath)"],
                                   storeFlag: false)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        let listed = run.stdout.split(separator: "\n").filter { $0.hasPrefix("  ") && $0.dropFirst(2).first?.isNumber == true }
            .map { $0.split(separator: " ").map(String.init) }
        XCTAssertEqual(listed.map { $0[0] }, expected.map { String($0.sequence) }, run.stdout)
        XCTAssertEqual(listed.map { $0[1] }, expected.map(\.input.kafka.topic))
        XCTAssertEqual(listed.map { $0[2] }, expected.map(\.input.type))
        XCTAssertEqual(listed.map { $0[3] }, expected.map(\.input.envelopeID))
        XCTAssertTrue(listed.allSatisfy { $0[4].hasPrefix("2026-01-01T00:") && $0[4].hasSuffix("Z") }, run.stdout)
        XCTAssertTrue(run.stdout.contains("not replayed: \(records.last!.sequence) agentmesh.verdict.v1 \(forged.id): "
                                          + "rejected by the audit sink (unknown key r-9)"), run.stdout)

        let requests = try await replayRequests(count: 1)
        let request = try XCTUnwrap(requests.first)
        XCTAssertEqual(request.request.mode, "dry-run")
        XCTAssertEqual(request.request.requestedBy, "erin")
        XCTAssertEqual(request.request.reason, "what would go out?")
        XCTAssertEqual(request.request.envelopeCount, UInt32(expected.count))
        let results = try await read("mesh.results", count: 0)
        let plans = try await read("mesh.plans", count: 0)
        XCTAssertEqual(results.count + plans.count, 0, "a dry run publishes nothing else")
    }

    func testIntoMeshRepublishesToTheOriginalTopicsWithReplayMarkersButNotTheChangelog() async throws {
        let recorder = try makeRecorder()
        let objective = try recorder.completed()
        let records = try recorder.store.records(correlationID: objective.correlationID)
        let run = try await replay(objective.correlationID, ["--into-mesh", "--reason", "rebuild the plans projection"])
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)

        let requests = try await replayRequests(count: 1)
        let request = try XCTUnwrap(requests.first)
        XCTAssertEqual(request.request.mode, "mesh")
        for topic in ["mesh.objectives", "mesh.results", "mesh.verdicts", "mesh.plans", "mesh.tasks.coding"] {
            let original = records.filter { $0.input.kafka.topic == topic }
            XCTAssertFalse(original.isEmpty, topic)
            let replayed = try await read(topic, count: original.count, settle: .milliseconds(200))
            XCTAssertEqual(replayed.map(\.value), original.map(\.input.raw), topic)
            XCTAssertTrue(replayed.allSatisfy { $0.headers.string(ReplayMarker.replayID) == request.request.replayID }, topic)
        }
        let changelog = try await read("mesh.orchestrator.changelog", count: 0)
        XCTAssertEqual(changelog.count, 0, "snapshots are not re-published")
        XCTAssertTrue(run.stdout.contains("orchestrator changelog, not re-published into the mesh"), run.stdout)
    }
}

/// Requests refused before anything is published (no broker needed).
final class ReplayErrorTests: ReplayTestCase {
    func testUnknownObjectiveMissingStoreObjectiveWithoutSnapshotsAndModeChoiceAreClearErrors() async throws {
        let recorder = try makeRecorder()
        _ = try recorder.completed()
        var run = try await replay("obj-nobody-knows", ["--dry-run"])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains(
            "no records for obj-nobody-knows; check `meshctl audit search --correlation obj-nobody-knows`"), run.stderr)

        run = try await meshctl(["replay", "obj-completed", "--dry-run", "--store", "sqlite:\(workspace.path)/nowhere.sqlite",
                                 "--catalog", catalogPath, "--home", home])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains("audit store sqlite:\(workspace.path)/nowhere.sqlite is unreachable"), run.stderr)
        XCTAssertTrue(run.stderr.contains("no audit store at \(workspace.path)/nowhere.sqlite"), run.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(workspace.path)/nowhere.sqlite"), "a reader creates no store")

        // An objective recorded without an orchestrator that writes snapshots.
        let meshctl = try recorder.sealer("meshctl")
        let submitted = Envelope(source: "/mesh/meshctl/alice", correlationID: "obj-legacy", payload: .objectiveSubmitted(
            ObjectiveSubmitted(objectiveID: "obj-legacy", title: "t", playbook: "single-task", submittedBy: "alice")))
        try recorder.append(submitted, sealed: try meshctl.seal(submitted), topic: "mesh.objectives", signer: meshctl)
        run = try await replay("obj-legacy", ["--rebuild"])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains("this objective was not recorded by an orchestrator that writes snapshots"), run.stderr)

        run = try await replay("obj-completed", ["--dry-run", "--rebuild"])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains("choose exactly one of --dry-run, --to <topic>, --into-mesh, --rebuild"), run.stderr)

        run = try await replay("obj-completed", ["--to", "mesh.results"])
        XCTAssertNotEqual(run.status, 0)
        XCTAssertTrue(run.stderr.contains("is a mesh topic of the catalog"), run.stderr)
    }
}
