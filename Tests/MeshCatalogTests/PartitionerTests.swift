import XCTest
@testable import MeshCatalog

/// The catalog states how producers place keyed records (`partitioner:`), and the Swift
/// partitioner computes exactly librdkafka's `consistent_random` placement.
final class PartitionerTests: XCTestCase {
    func testCRC32IsTheStandardCRC32() {
        XCTAssertEqual(KeyPartitioner.crc32(Array("123456789".utf8)), 0xCBF4_3926)  // the CRC-32 check value
        XCTAssertEqual(KeyPartitioner.crc32([UInt8]()), 0)
        XCTAssertEqual(KeyPartitioner.crc32(Array("The quick brown fox jumps over the lazy dog".utf8)), 0x414F_A339)
    }

    func testConsistentRandomIsCRC32ModuloThePartitionCount() {
        let key = "0190a6ef-ffff-7000-8000-000000000001"
        for partitions in [1, 3, 6, 12, 31] {
            XCTAssertEqual(KeyPartitioner.consistentRandom.partition(forKey: key, partitions: partitions),
                           Int32(KeyPartitioner.crc32(Array(key.utf8)) % UInt32(partitions)))
        }
    }

    func testTheShippedCatalogStatesConsistentRandom() throws {
        let catalog = try CatalogLoader.load(directory: Fixtures.topicsDirectory)
        XCTAssertEqual(catalog.partitioner, .consistentRandom)
    }

    func testAnUnknownPartitionerIsReportedWithTheKnownOnes() {
        let yaml = Fixtures.base.replacingOccurrences(of: "catalog: 1\n", with: "catalog: 1\npartitioner: murmur2_random\n")
        assertReports(Fixtures.error(yaml), line: 2, field: "partitioner", "unknown partitioner \"murmur2_random\"",
                      "consistent_random")
    }

    func testACatalogThatStatesNoneGetsLibrdkafkasDefault() throws {
        XCTAssertEqual(try CatalogLoader.parse(yaml: Fixtures.base, fileName: Fixtures.fileName).partitioner, .consistentRandom)
    }
}
