import XCTest
@testable import MeshCompliance

final class IPv4DetectorTests: XCTestCase {
    let d = IPv4Detector()

    func testValidAddresses() {
        XCTAssertEqual(spots(d, "host 10.0.0.1 and\n(192.168.1.254)."), ["1:6:10.0.0.1", "2:2:192.168.1.254"])
        XCTAssertEqual(masks(d, "8.8.4.4"), ["***.***.***.4"])
        XCTAssertEqual(found(d, "range 10.0.0.1-10.0.0.9"), ["10.0.0.1", "10.0.0.9"])
    }

    func testNearMisses() {
        assertNone(d, ["256.1.1.1", "1.2.3", "1.2.3.4.5", "v1.2.3.4", "01.2.3.4", "10.0.0.999", "1.2.3.4a", "1.2.3.4-beta"])
    }

    /// Four-level section numbers look like dotted quads: after `§` or a section word they
    /// are references into a document (a standard, a contract, a specification), not hosts.
    func testSectionNumbersAreNotAddresses() {
        assertNone(d, ["§2.1.3.2", "per § 2.1.3.2 of the SRS", "§§ 4.1.2.3", "Section 2.1.3.2", "see sec. 4.1.2.3",
                       "clause 5.2.1.1 applies", "(§2.1.3.2)", "Chapter 1.2.3.4:"])
        // Only the number the sign or word introduces is a section.
        XCTAssertEqual(found(d, "§ 2 allows 8.8.4.4; the section 3 host is 1.2.3.4"), ["8.8.4.4", "1.2.3.4"])
        XCTAssertEqual(found(d, "intersection 8.8.4.4, dissection 1.1.1.1"), ["8.8.4.4", "1.1.1.1"])
        XCTAssertEqual(found(d, "host 10.0.0.1 § 2.1.3.2"), ["10.0.0.1"])
    }
}

final class IPv6DetectorTests: XCTestCase {
    let d = IPv6Detector()

    func testValidAddresses() {
        let text = "peer 2001:0db8:85a3:0000:0000:8a2e:0370:7334 and fe80::1ff:fe23:4567:890a\n[::ffff:192.0.2.128]:443 or ::1."
        XCTAssertEqual(spots(d, text), [
            "1:6:2001:0db8:85a3:0000:0000:8a2e:0370:7334", "1:50:fe80::1ff:fe23:4567:890a",
            "2:2:::ffff:192.0.2.128", "2:29:::1",
        ])
    }

    func testNearMisses() {
        assertNone(d, ["10:30:00", "00:1A:2B:3C:4D:5E", "std::vector", "a:b", "1::2::3", "12345::1", "::", "1:2:3:4:5:6:7:8:9"])
    }
}

final class URLDetectorTests: XCTestCase {
    let d = URLDetector()

    func testURLs() {
        let text = "See https://portal.mercy.org/patients/123?id=9.\n(www.example.com/x) ftp://files.host.net/a"
        XCTAssertEqual(spots(d, text), ["1:5:https://portal.mercy.org/patients/123?id=9", "2:2:www.example.com/x", "2:21:ftp://files.host.net/a"])
        XCTAssertEqual(masks(d, "https://portal.mercy.org/p/1"), ["https://***.org/…"])
    }

    func testNearMisses() {
        assertNone(d, ["https://", "http:// space", "xhttps://a.b", "wwwx.example.com", "the www. prefix"])
    }
}
