import MeshTracing
import XCTest

final class TraceSamplerTests: XCTestCase {
    private let low = "0123456789abcdef0000000000000001"
    private let high = "0123456789abcdefffffffffffffffff"

    func testConstantSamplersIgnoreTheParent() {
        for parent in [true, false, nil] as [Bool?] {
            XCTAssertTrue(TraceSampler.alwaysOn.shouldSample(traceID: high, parentSampled: parent))
            XCTAssertFalse(TraceSampler.alwaysOff.shouldSample(traceID: low, parentSampled: parent))
        }
    }

    func testParentBasedFollowsTheTraceparentSampledFlag() {
        let sampler = TraceSampler.parentBased(root: .alwaysOff)
        XCTAssertTrue(sampler.shouldSample(traceID: high, parentSampled: true))
        XCTAssertFalse(sampler.shouldSample(traceID: low, parentSampled: false))
        XCTAssertFalse(sampler.shouldSample(traceID: low, parentSampled: nil), "a root follows the root sampler")
        XCTAssertTrue(TraceSampler.parentBased(root: .alwaysOn).shouldSample(traceID: low, parentSampled: nil))
    }

    func testRatioDecidesByTheLowerSixtyFourBitsOfTheTraceID() {
        let half = TraceSampler.traceIDRatio(0.5)
        XCTAssertTrue(half.shouldSample(traceID: low, parentSampled: nil))
        XCTAssertFalse(half.shouldSample(traceID: high, parentSampled: true))
        XCTAssertFalse(TraceSampler.traceIDRatio(0).shouldSample(traceID: low, parentSampled: nil))
        XCTAssertTrue(TraceSampler.traceIDRatio(1).shouldSample(traceID: high, parentSampled: nil))
    }

    func testRatioSamplesAboutTheRatioOfTraces() {
        let sampler = TraceSampler.traceIDRatio(0.25)
        let sampled = (0..<4000).filter { index in
            let id = String(format: "%016llx%016llx", UInt64(index), UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
            return sampler.shouldSample(traceID: id, parentSampled: nil)
        }.count
        XCTAssertEqual(Double(sampled) / 4000, 0.25, accuracy: 0.03)
    }
}
