import Foundation
import MeshKafka
import XCTest

final class ConsumerLagStatisticsTests: XCTestCase {
    func testLagIsReportedOrDerivedFromTheHighWatermarkWhenNothingWasCommitted() {
        let json = """
            {"topics": {"mesh.results": {"partitions": {
              "0": {"consumer_lag": 3, "hi_offset": 10, "committed_offset": 7},
              "1": {"consumer_lag": -1, "hi_offset": 0, "committed_offset": -1001},
              "2": {"consumer_lag": -1, "hi_offset": 5, "committed_offset": -1001},
              "3": {"consumer_lag": -1, "hi_offset": -1001, "committed_offset": -1001},
              "-1": {"consumer_lag": -1, "hi_offset": -1, "committed_offset": -1}}}}}
            """
        let lag = ConsumerLagStatistics.parse(Data(json.utf8))
        XCTAssertEqual(lag, [
            TopicPartition(topic: "mesh.results", partition: 0): 3,
            TopicPartition(topic: "mesh.results", partition: 1): 0,
            TopicPartition(topic: "mesh.results", partition: 2): 5,
        ])
        XCTAssertEqual(ConsumerLagStatistics.parse(Data("not json".utf8)), [:])
    }
}
