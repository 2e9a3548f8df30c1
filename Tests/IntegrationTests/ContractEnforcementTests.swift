import Foundation
import MeshKafka
import MeshSigning
import MeshTestSupport
import MeshTransport
import MeshWire
import XCTest

/// Contract rules a foreign producer could break, enforced by the real role processes on the
/// embedded broker.
final class ContractEnforcementTests: XCTestCase {
    var mesh: MeshHarness!

    override func tearDown() async throws {
        mesh?.shutdown()
    }

    /// The bytes a client whose protobuf library accepts U+0000 in strings (protobuf-c, Python,
    /// Java all do) can publish: our encoder refuses them, so the title is patched on the wire
    /// and the result signed with the operator key, as any valid client would.
    private func sealedObjective(title: String, nulAt patch: String.Index, correlationID: String) throws -> [UInt8] {
        let envelope = Envelope(
            source: SourcePath.make(role: "meshctl", instance: "foreign"), correlationID: correlationID,
            payload: .objectiveSubmitted(ObjectiveSubmitted(
                objectiveID: correlationID, title: title, playbook: "single-task", submittedBy: "alice")))
        var bytes = try EnvelopeCodec().encode(envelope)
        let needle = Array(title.utf8)
        let start = try XCTUnwrap((0...(bytes.count - needle.count)).first { Array(bytes[$0..<($0 + needle.count)]) == needle })
        bytes[start + title.utf8.distance(from: title.startIndex, to: patch)] = 0
        let signed = try KeyRingStore.loadSigner(principal: "meshctl", from: mesh.keys).sign(bytes)
        return try EnvelopeCodec().encode(SealedEnvelope(envelope: bytes, signatures: [
            Signature(keyID: signed.keyId, algorithm: signed.algorithm == .ed25519 ? .ed25519 : .hmacSHA256, signature: signed.bytes),
        ]))
    }

    func testAnObjectiveWhoseTitleHidesTextBehindANULIsDeadLetteredNotTruncated() async throws {
        mesh = try await MeshHarness()
        try mesh.start("orchestrator-1", "mesh-orchestrator")
        let configuration = try mesh.kafkaConfiguration()
        let producer = try KafkaProducer(configuration: configuration, logger: mesh.logger)
        defer { producer.close() }
        let correlationID = "obj-nul-\(UUID().uuidString.prefix(8))"
        let title = "Visible_hidden"
        let value = try sealedObjective(title: title, nulAt: title.firstIndex(of: "_")!, correlationID: correlationID)
        try await producer.send(OutgoingMessage(topic: "mesh.objectives", key: Array(correlationID.utf8), value: value))

        var letter: ConsumedMessage?
        try await eventually("the orchestrator dead-letters the objective\n\(mesh.logs)", timeout: .seconds(60)) {
            let letters = (try? await TopicReader.readToEnd("mesh.deadletter", configuration: configuration, logger: self.mesh.logger)) ?? []
            letter = letters.first { $0.value == value }
            return letter != nil
        }
        let headers = try XCTUnwrap(letter).headers
        XCTAssertEqual(headers.string(DeadLetterHeader.reason), "malformed")
        XCTAssertEqual(headers.string(DeadLetterHeader.sourceTopic), "mesh.objectives")
        XCTAssertTrue(headers.string(DeadLetterHeader.detail)?.contains("objective_submitted.title") == true,
                      headers.string(DeadLetterHeader.detail) ?? "no detail")
        let plans = await mesh.envelopes(correlationID)
        XCTAssertTrue(plans.isEmpty, "no plan was made for a truncated title: \(plans.map(\.type))")
    }
}
