import Foundation
import MeshKafka
import MeshRuntime
import MeshTestSupport
import MeshTransport
import MeshWire
import XCTest

/// Heartbeats follow the contract (Proto/CONTRACT.md): a heartbeat belongs to no objective, so
/// it is a root whose correlation id is its own id, and its record key is the agent id, as
/// the catalog declares for mesh.agents.
final class HeartbeatContractTests: XCTestCase {
    func testAHeartbeatIsItsOwnCorrelationAndIsKeyedByTheAgentID() async throws {
        let fixture = try RuntimeFixture(topics: ["mesh.results", "mesh.deadletter", "mesh.agents"], partitions: 1)
        let worker = try fixture.reviewer(AnswerOnce()) { $0.heartbeatInterval = .milliseconds(200) }
        let running = Task { await worker.run() }
        defer { worker.stop() }

        let heartbeats = try KafkaConsumer(
            configuration: fixture.kafka,
            subscription: .partitions([TopicPartition(topic: "mesh.agents", partition: 0)]), logger: fixture.logger)
        defer { heartbeats.close() }
        let seen = Gathered<ConsumedMessage>()
        let reading = Task { for await message in heartbeats.messages { await seen.append(message) } }
        try await eventually("two heartbeats are published", timeout: .seconds(30)) { await seen.count >= 2 }
        reading.cancel()

        let opener = try fixture.opener()
        var ids: Set<String> = []
        let messages = await seen.values
        for message in messages {
            let envelope = try opener.open(message.value).get().envelope
            guard case .agentHeartbeat(let heartbeat) = envelope.payload else { return XCTFail("\(envelope.type)") }
            XCTAssertEqual(envelope.correlationID, envelope.id, "a heartbeat is its own correlation, not the instance's")
            XCTAssertEqual(message.key.map { String(decoding: $0, as: UTF8.self) }, heartbeat.agentID)
            XCTAssertEqual(heartbeat.agentID, "r-1")
            ids.insert(envelope.correlationID)
        }
        XCTAssertEqual(ids.count, messages.count, "each heartbeat starts its own correlation")
        worker.stop()
        await running.value
    }
}
