import XCTest
@testable import MeshCompliance

final class NPIDetectorTests: XCTestCase {
    let d = NPIDetector()

    func testLuhnValidNPIs() {
        XCTAssertEqual(spots(d, "NPI 1234567893\nrendering: 2987654326, 1122334455"), ["1:5:1234567893", "2:12:2987654326", "2:24:1122334455"])
        XCTAssertEqual(masks(d, "1234567893"), ["********93"])
    }

    func testNearMisses() {
        assertNone(d, [
            "1234567890",  // Luhn fails
            "3234567893",  // must start with 1 or 2
            "123456789", "12345678931",  // wrong length
            "1111111111", "2222222222",  // all-same body
            "x1234567893", "1234567893-5",
        ])
    }
}

final class DEADetectorTests: XCTestCase {
    let d = DEADetector()

    func testValidChecksum() {
        XCTAssertEqual(spots(d, "DEA: AB1234563\nFM1234563"), ["1:6:AB1234563", "2:1:FM1234563"])
        XCTAssertEqual(masks(d, "AB1234563"), ["*******63"])
    }

    func testNearMisses() {
        assertNone(d, ["AB1234564", "IB1234563", "ab1234563", "AB123456", "AB12345634", "XAB1234563"])
    }
}

final class VINDetectorTests: XCTestCase {
    let d = VINDetector()

    func testValidCheckDigit() {
        XCTAssertEqual(spots(d, "VIN: 1M8GDM9AXKP042788"), ["1:6:1M8GDM9AXKP042788"])
        XCTAssertEqual(masks(d, "1M8GDM9AXKP042788"), ["**************788"])
    }

    func testNearMisses() {
        assertNone(d, ["1M8GDM9AXKP042789", "1M8GDM9AXKP04278", "1M8GDM9AXKP0427880", "IM8GDM9AXKP042788", "11111111111111111", "1m8gdm9axkp042788"])
    }
}
