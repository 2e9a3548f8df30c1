import Foundation
import MeshCatalog
import MeshKafka
import MeshRuntime
import MeshSigning
import MeshTestSupport
import MeshTransport
import MeshWire
import XCTest

/// The routing judgement on its own: real sealed envelopes and the shipped catalog, with the
/// cluster's partition counts given directly (what `KafkaConsumer.partitionCounts` returns).
final class PartitionRoutingTests: XCTestCase {
    let catalog = try! CatalogLoader.load(directory: repositoryRoot().appendingPathComponent("Topics"))
    let keys = NSTemporaryDirectory() + "routing-keys-\(UUID().uuidString)"

    override func setUp() async throws {
        try KeyRingStore.initialize(at: keys, roles: ["coding", "meshctl"], people: [], algorithm: .hmacSHA256)
    }

    override func tearDown() async throws {
        try? FileManager.default.removeItem(atPath: keys)
    }

    private func inbound(_ correlationID: String, topic: String, partition: Int32) throws -> InboundEnvelope {
        let envelope = topic == "mesh.agents"
            ? Envelope(id: correlationID, source: "/mesh/coding/c-1", correlationID: correlationID,
                       payload: .agentHeartbeat(AgentHeartbeat(agentID: "c-1", role: "coding")))
            : Envelope(source: "/mesh/coding/c-1", correlationID: correlationID, payload: .taskResult(TaskResult(
                taskID: "t", planID: "p", state: .completed, agentID: "c-1")))
        let sealed = try EnvelopeSealer(signer: try KeyRingStore.loadSigner(principal: "coding", from: keys)).seal(envelope)
        let opened = try EnvelopeOpener(trust: try KeyRingStore.loadTrustStore(from: keys)).open(sealed).get()
        return InboundEnvelope(opened: opened, message: ConsumedMessage(
            topic: topic, partition: partition, offset: 0, key: Array(correlationID.utf8), value: sealed,
            headers: ConsumedHeaders([]), timestampMs: 0))
    }

    func testARecordOnItsPartitionPassesAndOneElsewhereIsMisroutedNamingItsPartition() throws {
        let routing = PartitionRouting(catalog: catalog, partitionCounts: { ["mesh.results": 12] })
        let home = catalog.partitioner.partition(forKey: "obj-7", partitions: 12)
        XCTAssertNil(routing.check(try inbound("obj-7", topic: "mesh.results", partition: home)))
        let rejection = try XCTUnwrap(routing.check(try inbound("obj-7", topic: "mesh.results", partition: (home + 5) % 12)))
        XCTAssertEqual(rejection.reason, .misrouted)
        XCTAssertFalse(rejection.isSecurityEvent)
        XCTAssertTrue(rejection.detail.contains("belongs on partition \(home) of mesh.results"), rejection.detail)
    }

    /// A topic that gained partitions: the cached count would call a correctly placed record
    /// misrouted, so the counts are read again before refusing.
    func testCountsAreReadAgainBeforeRefusing() throws {
        let key = try XCTUnwrap((0..<100).map { "obj-\($0)" }.first {
            catalog.partitioner.partition(forKey: $0, partitions: 12) != catalog.partitioner.partition(forKey: $0, partitions: 24)
        })
        let counts = Counts(12)
        let routing = PartitionRouting(catalog: catalog, partitionCounts: { ["mesh.results": counts.value] })
        XCTAssertNil(routing.check(try inbound(key, topic: "mesh.results", partition: catalog.partitioner.partition(forKey: key, partitions: 12))))
        counts.value = 24
        XCTAssertNil(routing.check(try inbound(key, topic: "mesh.results", partition: catalog.partitioner.partition(forKey: key, partitions: 24))))
        XCTAssertEqual(counts.reads, 2, "read once at first, once more when the record looked misrouted")
    }

    func testTopicsNotKeyedByCorrelationAndUnreadableCountsAreNotJudged() throws {
        let everywhere = PartitionRouting(catalog: catalog, partitionCounts: { ["mesh.agents": 6, "mesh.results": 12] })
        let heartbeat = try inbound("hb-1", topic: "mesh.agents", partition: 5)
        XCTAssertNil(everywhere.check(heartbeat), "heartbeats are keyed by agent id")
        struct Unavailable: Error {}
        let unreadable = PartitionRouting(catalog: catalog, partitionCounts: { throw Unavailable() })
        let home = catalog.partitioner.partition(forKey: "obj-7", partitions: 12)
        XCTAssertNil(unreadable.check(try inbound("obj-7", topic: "mesh.results", partition: (home + 1) % 12)))
    }
}

private final class Counts: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Int
    private(set) var reads = 0
    init(_ value: Int) { current = value }
    var value: Int {
        get { lock.withLock { reads += 1; return current } }
        set { lock.withLock { current = newValue } }
    }
}
