import COpenSSL
import MeshSigning
import XCTest

/// The keyed-once HMAC (inner and outer pad states computed at construction, copied per
/// message) against libcrypto's one-shot `HMAC()`, which keys afresh every call: the same
/// tags for keys and messages of every length class around SHA-256's 64-byte block.
final class HMACOneShotAgreementTests: XCTestCase {
    private func oneShot(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var tag = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let ok = key.withUnsafeBytes { key in
            message.withUnsafeBytes { message in
                tag.withUnsafeMutableBufferPointer { tag in
                    HMAC(EVP_sha256(), key.baseAddress, Int32(key.count), message.baseAddress?.assumingMemoryBound(to: UInt8.self),
                         message.count, tag.baseAddress, &length)
                }
            }
        }
        XCTAssertNotNil(ok)
        XCTAssertEqual(length, 32)
        return tag
    }

    func testReusedKeyedStatesGiveTheOneShotTagForManyKeysAndMessages() throws {
        var state: UInt64 = 0x5EED_4D4A_C0DE_0021
        func next() -> UInt8 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        let keyLengths = [0, 1, 20, 32, 63, 64, 65, 131, 200]
        let messageLengths = [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 1024, 3000]
        for keyLength in keyLengths {
            let secret = (0..<keyLength).map { _ in next() }
            let key = try HMACSHA256Key(secret: secret)
            // Several messages through one key, interleaved lengths: no state may carry over.
            for round in 0..<3 {
                for messageLength in messageLengths {
                    let message = (0..<messageLength).map { _ in next() }
                    let expected = oneShot(key: secret, message: message)
                    XCTAssertEqual(key.authenticationCode(for: message), expected, "key \(keyLength) B, message \(messageLength) B, round \(round)")
                    XCTAssertTrue(key.isValidAuthenticationCode(expected, for: message))
                }
            }
        }
    }
}
