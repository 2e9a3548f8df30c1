import Foundation
import MeshKafka
import MeshSigning
import MeshTestSupport
import MeshTransport
import MeshWire
import XCTest

/// `meshctl deadletters list` and `redrive` against what a real reviewer process dead-lettered.
final class DeadLettersCommandTests: XCTestCase {
    var mesh: MeshHarness!

    override func tearDown() async throws {
        mesh?.shutdown()
    }

    func meshctl(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await runToCompletion(try Executables.url("meshctl"), arguments + ["--home", mesh.home], workingDirectory: mesh.workspace.url)
    }

    func testListShowsWhyAndWhereAndRedriveSendsTheOriginalBackAndIsRecorded() async throws {
        mesh = try await MeshHarness()
        try mesh.start("reviewer-1", "mesh-reviewer")
        let configuration = try MeshEnvironment(home: mesh.home).kafkaConfiguration()
        let producer = try KafkaProducer(configuration: configuration, logger: mesh.logger)
        defer { producer.close() }
        try await producer.send(OutgoingMessage(topic: "mesh.results", key: Array("obj-9".utf8), value: Array("not an envelope".utf8)))
        // A verdict signed by an agent's key: the catalog does not allow it on mesh.results.
        let wrongRole = Envelope(source: "/mesh/coding/c-1", correlationID: "obj-9", payload: .verdict(Verdict(
            taskID: "t", planID: "p", kind: .review, decision: .approve, resultEnvelopeID: "r", reviewerID: "c-1")))
        try await mesh.publish(wrongRole, to: "mesh.results", as: "coding")

        var listed: [[String: String]] = []
        try await eventually("both are dead-lettered") {
            guard let run = try? await self.meshctl(["deadletters", "list", "--json"]), run.status == 0 else { return false }
            listed = run.stdout.split(separator: "\n").compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String]
            }
            return listed.count == 2
        }
        XCTAssertEqual(Set(listed.map { $0["reason"]! }), ["malformed", "unauthorized"])
        XCTAssertTrue(listed.allSatisfy { $0["source"]!.hasPrefix("mesh.results[") })
        let malformed = try XCTUnwrap(listed.first { $0["reason"] == "malformed" })

        let dry = try await meshctl(["deadletters", "redrive", malformed["id"]!, "--dry-run"])
        XCTAssertEqual(dry.status, 0, dry.stderr)
        XCTAssertTrue(dry.stdout.contains("would send \(malformed["id"]!) (malformed) back to mesh.results"), dry.stdout)

        let sent = try await meshctl(["deadletters", "redrive", malformed["id"]!, "--because", "parser fixed"])
        XCTAssertEqual(sent.status, 0, sent.stderr)
        XCTAssertTrue(sent.stdout.contains("back to mesh.results["), sent.stdout)
        // Dead letters are unkeyed (catalog: key none); the redrive restores the original key.
        let letters = try await TopicReader.readToEnd("mesh.deadletter", configuration: configuration, logger: mesh.logger)
        XCTAssertFalse(letters.isEmpty)
        XCTAssertTrue(letters.allSatisfy { $0.key == nil }, "\(letters.map(\.key))")
        let results = try await TopicReader.readToEnd("mesh.results", configuration: configuration, logger: mesh.logger)
        XCTAssertTrue(results.contains { $0.headers.string("agentmesh_redriven_from") != nil && $0.key == Array("obj-9".utf8) },
                      "the redriven record has its original key")
        // Still garbage: the reviewer dead-letters it again, now marked as redriven.
        try await eventually("the redriven record is judged again") {
            let run = try? await self.meshctl(["deadletters", "list", "--reason", "malformed", "--json"])
            return run?.stdout.split(separator: "\n").count == 2
        }
        let operations = try await TopicReader.readToEnd("mesh.operations", configuration: configuration, logger: mesh.logger)
        let opener = EnvelopeOpener(trust: try KeyRingStore.loadTrustStore(from: mesh.keys))
        let recorded = operations.compactMap { try? opener.open($0.value).get().envelope }
        XCTAssertTrue(recorded.contains {
            if case .replayRequested(let request) = $0.payload {
                return request.mode == "redrive" && request.reason == "parser fixed" && request.envelopeCount == 1
            }
            return false
        }, "the redrive is in the audit trail")
    }
}

