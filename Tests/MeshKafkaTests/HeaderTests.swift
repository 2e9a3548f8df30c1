import MeshKafka
import XCTest

final class HeaderTests: XCTestCase {
    func testConsumedHeadersKeepOrderDuplicatesEmptyAndBinaryValues() {
        let headers = [
            KafkaHeader(key: "ce_id", string: "e-1"), KafkaHeader(key: "empty", value: []),
            KafkaHeader(key: "bin", value: [0, 255, 10, 13]), KafkaHeader(key: "ce_id", string: "e-2"),
            KafkaHeader(key: "long", value: [UInt8](repeating: 7, count: 70_000)), KafkaHeader(key: "", string: "no key"),
        ]
        let consumed = ConsumedHeaders(headers)
        XCTAssertEqual(consumed.all, headers)
        XCTAssertEqual(consumed.string("ce_id"), "e-2", "the last header of a name wins, as in Kafka clients")
        XCTAssertNil(consumed.string("absent"))
        XCTAssertTrue(ConsumedHeaders([]).isEmpty)
    }

    func testStringAndByteHeadersAreEqualWhenTheirBytesAre() {
        XCTAssertEqual(KafkaHeader(key: "k", string: "v"), KafkaHeader(key: "k", value: Array("v".utf8)))
        XCTAssertEqual(KafkaHeader(key: "k", string: "v").hashValue, KafkaHeader(key: "k", value: Array("v".utf8)).hashValue)
        XCTAssertEqual(KafkaHeader(key: "k", value: [0xe2, 0x82, 0xac]).stringValue, "€")
    }
}
