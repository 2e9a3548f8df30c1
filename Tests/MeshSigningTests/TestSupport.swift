import MeshSigning
import XCTest

/// Bytes from hex test-vector text; fails the calling test on malformed vectors.
func hex(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [UInt8] {
    guard let bytes = Hex.decode(text.filter { !$0.isWhitespace }) else {
        XCTFail("bad hex in test vector", file: file, line: line)
        return []
    }
    return bytes
}

/// A fresh signer for `principal` in `algorithm`, with a readable test key id.
func makeSigner(_ principal: String, _ algorithm: SigningAlgorithm, kind: PrincipalKind = .role,
                keyId: String? = nil, status: KeyStatus = .active) throws -> MessageSigner {
    let metadata = KeyMetadata(keyId: keyId ?? "\(principal)-test-\(algorithm.rawValue)", algorithm: algorithm,
                               principal: principal, principalKind: kind, status: status)
    switch algorithm {
    case .hmacSHA256: return try MessageSigner(metadata: metadata, hmacSecret: HMACSecret.generate())
    case .ed25519: return MessageSigner(metadata: metadata, ed25519: try Ed25519PrivateKey.generate())
    }
}

/// Asserts that `body` throws exactly `expected`.
func XCTAssertThrowsSigningError<T>(_ expected: SigningError, _ body: @autoclosure () throws -> T,
                                    file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try body(), file: file, line: line) { error in
        XCTAssertEqual(error as? SigningError, expected, file: file, line: line)
    }
}

/// A ~1 KiB envelope-sized message.
let kibMessage: [UInt8] = (0..<1024).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
