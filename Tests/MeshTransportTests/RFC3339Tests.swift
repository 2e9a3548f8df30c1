import MeshLogging
import XCTest

final class RFC3339Tests: XCTestCase {
    func testFormatsKnownInstantsExactly() {
        XCTAssertEqual(RFC3339.format(unixMicros: 0), "1970-01-01T00:00:00.000000Z")
        XCTAssertEqual(RFC3339.format(unixMicros: 951_782_400_000_001), "2000-02-29T00:00:00.000001Z")  // leap day
        XCTAssertEqual(RFC3339.format(unixMicros: 1_798_333_087_123_456, fractionDigits: 3), "2026-12-27T00:58:07.123Z")
        XCTAssertEqual(RFC3339.format(unixMicros: -1), "1969-12-31T23:59:59.999999Z")
        XCTAssertEqual(RFC3339.format(unixMicros: 1_798_333_087_123_456, fractionDigits: 0), "2026-12-27T00:58:07Z")
    }

    func testAgreesWithFoundationOverManyInstants() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        var micros: Int64 = -2_208_988_800_000_000  // 1900
        while micros < 4_102_444_800_000_000 {  // 2100
            let ours = RFC3339.format(unixMicros: micros)
            let floorSeconds = (micros - ((micros % 1_000_000) + 1_000_000) % 1_000_000) / 1_000_000
            let theirs = formatter.string(from: Date(timeIntervalSince1970: Double(floorSeconds)))
            XCTAssertEqual(String(ours.prefix(19)), String(theirs.prefix(19)), "at \(micros)")
            micros += 86_400_000_000 * 37 + 3_661_000_001
        }
    }
}
