import Foundation
import MeshCatalog
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
        let plans = await mesh.envelopes(correlationID).filter { $0.type.hasPrefix("agentmesh.plan.") }
        XCTAssertTrue(plans.isEmpty, "no plan was made for a truncated title: \(plans.map(\.type))")
    }
}

/// Java's default partitioner (and librdkafka's `murmur2`): the placement a producer that
/// ignores the catalog's `partitioner:` gives a key, so a test can pick a key it misroutes.
/// Kafka's `Utils.murmur2` (seed 0x9747b28c), partition = (hash & 0x7fffffff) % count.
func murmur2Partition(_ key: String, partitions: Int) -> Int32 {
    let data = Array(key.utf8)
    let m: UInt32 = 0x5BD1_E995
    var h: UInt32 = 0x9747_B28C ^ UInt32(data.count)
    let whole = data.count & ~3
    for i in stride(from: 0, to: whole, by: 4) {
        var k = UInt32(data[i]) | UInt32(data[i + 1]) << 8 | UInt32(data[i + 2]) << 16 | UInt32(data[i + 3]) << 24
        k = k &* m
        k ^= k >> 24
        k = k &* m
        h = h &* m
        h ^= k
    }
    let tail = data.count & 3
    if tail == 3 { h ^= UInt32(data[whole + 2]) << 16 }
    if tail >= 2 { h ^= UInt32(data[whole + 1]) << 8 }
    if tail >= 1 {
        h ^= UInt32(data[whole])
        h = h &* m
    }
    h ^= h >> 13
    h = h &* m
    h ^= h >> 15
    return Int32((h & 0x7FFF_FFFF) % UInt32(partitions))
}

extension ContractEnforcementTests {
    func meshctl(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await runToCompletion(try Executables.url("meshctl"), arguments + ["--home", mesh.home], workingDirectory: mesh.workspace.url)
    }

    private func objectiveFile(id: String) throws -> String {
        let path = mesh.workspace.url.appendingPathComponent("\(id).yaml").path
        try "id: \(id)\ntitle: Routing check \(id)\nplaybook: single-task\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A producer that ignores the catalog's partitioner puts an objective on a partition whose
    /// orchestrator does not own the plan. With two orchestrators that plan would hang in
    /// "working"; instead the receiving orchestrator dead-letters it as `misrouted`, naming
    /// the partition it belongs on. The same objective placed by the catalog's partitioner
    /// is planned, with PlanCreated.objective_id equal to its correlation id.
    func testAMurmur2PlacedObjectiveIsDeadLetteredAsMisroutedNamingItsPartition() async throws {
        mesh = try await MeshHarness()
        try mesh.start("orchestrator-1", "mesh-orchestrator")
        try mesh.start("orchestrator-2", "mesh-orchestrator")
        try await eventually("both orchestrators own partitions\n\(mesh.logs)", timeout: .seconds(90)) {
            ["orchestrator-1", "orchestrator-2"].allSatisfy { self.mesh.roles[$0]?.stderr.contains("assigned") == true }
        }
        let catalog = try CatalogLoader.load(directory: MeshHarness.root.appendingPathComponent("Topics"))
        let partitions = try XCTUnwrap(catalog.topic(named: "mesh.objectives")?.partitions)
        let run = UUID().uuidString.prefix(8)
        let misrouted = try XCTUnwrap((0..<100).lazy.map { "obj-route-\(run)-\($0)" }.first {
            murmur2Partition($0, partitions: partitions) != catalog.partitioner.partition(forKey: $0, partitions: partitions)
        })
        let expected = catalog.partitioner.partition(forKey: misrouted, partitions: partitions)
        let placed = murmur2Partition(misrouted, partitions: partitions)

        let submitted = try await meshctl(["submit", try objectiveFile(id: misrouted), "-X", "partitioner=murmur2"])
        XCTAssertEqual(submitted.status, 0, submitted.stderr)
        let configuration = try mesh.kafkaConfiguration()
        let opener = EnvelopeOpener(trust: try KeyRingStore.loadTrustStore(from: mesh.keys))
        var letter: ConsumedMessage?
        try await eventually("the misrouted objective is dead-lettered\n\(mesh.logs)", timeout: .seconds(60)) {
            let letters = (try? await TopicReader.readToEnd("mesh.deadletter", configuration: configuration, logger: self.mesh.logger)) ?? []
            letter = letters.first { (try? opener.open($0.value).get().envelope.correlationID) == misrouted }
            return letter != nil
        }
        let headers = try XCTUnwrap(letter).headers
        XCTAssertEqual(headers.string(DeadLetterHeader.reason), "misrouted")
        XCTAssertEqual(headers.string(DeadLetterHeader.sourceTopic), "mesh.objectives")
        XCTAssertEqual(headers.string(DeadLetterHeader.sourcePartition), String(placed), "the murmur2 producer placed it there")
        let detail = headers.string(DeadLetterHeader.detail) ?? ""
        XCTAssertTrue(detail.contains("belongs on partition \(expected) of mesh.objectives"), detail)
        XCTAssertTrue(detail.contains("consistent_random"), detail)

        // The same kind of objective through the catalog's partitioner is planned.
        let routed = "obj-route-\(run)-ok"
        let good = try await meshctl(["submit", try objectiveFile(id: routed)])
        XCTAssertEqual(good.status, 0, good.stderr)
        let created = try await mesh.first(routed) { if case .planCreated = $0.payload { return true } else { return false } }
        guard case .planCreated(let plan) = created.payload else { return XCTFail("\(created.type)") }
        XCTAssertEqual(plan.objectiveID, routed, "PlanCreated.objective_id is the correlation id")
        // The observer also reads mesh.deadletter, where the objective itself now is.
        let misroutedPlans = await mesh.envelopes(misrouted).filter { $0.type.hasPrefix("agentmesh.plan.") }
        XCTAssertTrue(misroutedPlans.isEmpty, "no orchestrator planned the misrouted objective: \(misroutedPlans.map(\.type))")
    }
}
