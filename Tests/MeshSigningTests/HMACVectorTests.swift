import MeshSigning
import XCTest

/// RFC 4231 section 4 test cases for HMAC-SHA256.
final class HMACVectorTests: XCTestCase {
    private func mac(key: [UInt8], data: [UInt8]) throws -> [UInt8] {
        try HMACSHA256Key(secret: key).authenticationCode(for: data)
    }

    func testCase1() throws {
        XCTAssertEqual(try mac(key: [UInt8](repeating: 0x0b, count: 20), data: Array("Hi There".utf8)),
                       hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"))
    }

    func testCase2KeyShorterThanOutput() throws {
        XCTAssertEqual(try mac(key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8)),
                       hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"))
    }

    func testCase3() throws {
        XCTAssertEqual(try mac(key: [UInt8](repeating: 0xaa, count: 20), data: [UInt8](repeating: 0xdd, count: 50)),
                       hex("773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"))
    }

    func testCase4() throws {
        XCTAssertEqual(try mac(key: Array(1...25), data: [UInt8](repeating: 0xcd, count: 50)),
                       hex("82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"))
    }

    func testCase5TruncatedTo128Bits() throws {
        let tag = try mac(key: [UInt8](repeating: 0x0c, count: 20), data: Array("Test With Truncation".utf8))
        XCTAssertEqual(Array(tag.prefix(16)), hex("a3b6167473100ee06e0c796c2955552b"))
    }

    func testCase6KeyLargerThanBlock() throws {
        XCTAssertEqual(try mac(key: [UInt8](repeating: 0xaa, count: 131),
                               data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)),
                       hex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"))
    }

    func testCase7KeyAndDataLargerThanBlock() throws {
        let data = "This is a test using a larger than block-size key and a larger than block-size data. "
            + "The key needs to be hashed before being used by the HMAC algorithm."
        XCTAssertEqual(try mac(key: [UInt8](repeating: 0xaa, count: 131), data: Array(data.utf8)),
                       hex("9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"))
    }

    func testReusedKeyGivesSameTagEveryTime() throws {
        // Every tag starts from copies of the same keyed states: no state may leak between messages.
        let key = try HMACSHA256Key(secret: [UInt8](repeating: 0x0b, count: 20))
        for _ in 0..<5 {
            XCTAssertEqual(key.authenticationCode(for: Array("Hi There".utf8)),
                           hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"))
            _ = key.authenticationCode(for: kibMessage)
        }
    }

    func testValidationIsExact() throws {
        let key = try HMACSHA256Key(secret: Array("Jefe".utf8))
        let message = Array("what do ya want for nothing?".utf8)
        var tag = key.authenticationCode(for: message)
        XCTAssertTrue(key.isValidAuthenticationCode(tag, for: message))
        tag[31] ^= 1
        XCTAssertFalse(key.isValidAuthenticationCode(tag, for: message))
        XCTAssertFalse(key.isValidAuthenticationCode(tag.prefix(16), for: message))
    }

    func testEmptyKeyIsAccepted() throws {
        // HMAC with an empty key is well defined (value cross-checked with Python's hmac module).
        XCTAssertEqual(try mac(key: [], data: []),
                       hex("b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"))
    }
}
