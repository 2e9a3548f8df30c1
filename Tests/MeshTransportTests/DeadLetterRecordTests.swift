import Logging
import MeshKafka
import MeshSigning
import MeshTransport
import XCTest

/// The dead-letter record built for a message: headers say why and where from; a value too
/// large to produce again is dropped, its size and digest kept.
final class DeadLetterRecordTests: XCTestCase {
    func testAValueAboveTheBoundIsDroppedKeepingItsSizeAndDigest() throws {
        // Building records never talks to the broker; nothing listens on this port.
        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        let producer = try KafkaProducer(configuration: KafkaConfiguration(bootstrapServers: "127.0.0.1:1"), logger: quiet)
        defer { producer.close(timeout: .seconds(1)) }
        let publisher = DeadLetterPublisher(
            producer: producer, topic: "mesh.deadletter", role: "orchestrator", logger: quiet, maxValueBytes: 10)
        func message(_ value: String) -> ConsumedMessage {
            ConsumedMessage(topic: "mesh.objectives", partition: 4, offset: 17, key: Array("obj-1".utf8), value: Array(value.utf8),
                            headers: ConsumedHeaders([KafkaHeader(key: "ce_id", string: "e-1")]), timestampMs: 0)
        }

        let kept = publisher.record(for: message("0123456789"), reason: "malformed", detail: "bad", attempts: 1)
        XCTAssertEqual(kept.value, Array("0123456789".utf8))
        XCTAssertNil(kept.headers.string(DeadLetterHeader.droppedValueBytes))

        let large = message("0123456789A")
        let dropped = publisher.record(for: large, reason: "oversize", detail: "too big", attempts: 1)
        XCTAssertEqual(dropped.value, [])
        XCTAssertNil(dropped.key, "dead letters are unkeyed, as the catalog declares")
        XCTAssertEqual(dropped.headers.last { $0.key == DeadLetterHeader.sourceKey }?.value, Array("obj-1".utf8))
        XCTAssertNil(kept.key)
        XCTAssertEqual(dropped.headers.string(DeadLetterHeader.droppedValueBytes), "11")
        XCTAssertEqual(dropped.headers.string(DeadLetterHeader.droppedValueSHA256), SHA256Digest.hex(large.value))
        XCTAssertEqual(dropped.headers.string(DeadLetterHeader.reason), "oversize")
        XCTAssertEqual(dropped.headers.string(DeadLetterHeader.sourceOffset), "17")
        XCTAssertEqual(dropped.headers.string("ce_id"), "e-1", "the original headers stay")
    }
}
