import MeshBenchmarks
import XCTest

final class EnvelopeCeilingTests: XCTestCase {
    func testTheCPUFloorBoundsTheRateWhenTheCoresRunOutFirst() {
        // 4 µs bare + 1 + 2 + 3 µs of stages = 10 µs a record; 2 cores do at most 200k/s.
        let ceiling = EnvelopeCeiling(
            cores: 2, bareRecordsPerSecond: 250_000, bareCPUMicrosPerRecord: 4, stageMicros: [1, 2, 3], rawPerSecond: 400_000)
        XCTAssertEqual(ceiling.minimumCPUMicrosPerRecord, 10, accuracy: 1e-12)
        XCTAssertEqual(ceiling.cpuBoundPerSecond, 200_000, accuracy: 1e-6)
        XCTAssertEqual(ceiling.perSecond, 200_000, accuracy: 1e-6)
        XCTAssertEqual(ceiling.ratio, 0.5, accuracy: 1e-12)
    }

    func testTheBareLibrdkafkaRateBoundsItWhenCoresAreToSpare() {
        let ceiling = EnvelopeCeiling(
            cores: 8, bareRecordsPerSecond: 150_000, bareCPUMicrosPerRecord: 4, stageMicros: [6], rawPerSecond: 200_000)
        XCTAssertEqual(ceiling.cpuBoundPerSecond, 800_000, accuracy: 1e-6)
        XCTAssertEqual(ceiling.perSecond, 150_000, accuracy: 1e-6)
        XCTAssertEqual(ceiling.ratio, 0.75, accuracy: 1e-12)
    }

    func testMoreStageCostLowersTheCeiling() {
        let cheap = EnvelopeCeiling(
            cores: 2, bareRecordsPerSecond: 1e9, bareCPUMicrosPerRecord: 3, stageMicros: [2], rawPerSecond: 300_000)
        let dear = EnvelopeCeiling(
            cores: 2, bareRecordsPerSecond: 1e9, bareCPUMicrosPerRecord: 3, stageMicros: [2, 5], rawPerSecond: 300_000)
        XCTAssertLessThan(dear.ratio, cheap.ratio)
    }
}
