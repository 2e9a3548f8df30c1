import MeshSigning
import XCTest

/// RFC 8032 section 7.1 test vectors for Ed25519, plus negative checks.
final class Ed25519VectorTests: XCTestCase {
    private struct Vector {
        let secret: String, publicKey: String, message: String, signature: String
    }

    private let test1 = Vector(
        secret: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        publicKey: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        message: "",
        signature: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
    private let test2 = Vector(
        secret: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        publicKey: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        message: "72",
        signature: "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00")
    private let test3 = Vector(
        secret: "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        publicKey: "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        message: "af82",
        signature: "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a")

    private func check(_ vector: Vector, file: StaticString = #filePath, line: UInt = #line) throws {
        let privateKey = try Ed25519PrivateKey(rawRepresentation: hex(vector.secret))
        XCTAssertEqual(privateKey.publicKey.rawRepresentation, hex(vector.publicKey), "public key", file: file, line: line)
        XCTAssertEqual(privateKey.rawRepresentation, hex(vector.secret), "seed round trip", file: file, line: line)
        let message = hex(vector.message)
        XCTAssertEqual(privateKey.signature(for: message), hex(vector.signature), "signature", file: file, line: line)
        let publicKey = try Ed25519PublicKey(rawRepresentation: hex(vector.publicKey))
        XCTAssertTrue(publicKey.isValidSignature(hex(vector.signature), for: message), "verify", file: file, line: line)
    }

    func testRFC8032Test1EmptyMessage() throws { try check(test1) }
    func testRFC8032Test2OneByte() throws { try check(test2) }
    func testRFC8032Test3TwoBytes() throws { try check(test3) }

    func testFlippedSignatureBitFails() throws {
        let publicKey = try Ed25519PublicKey(rawRepresentation: hex(test3.publicKey))
        let signature = hex(test3.signature)
        for index in [0, 31, 32, 63] {
            var altered = signature
            altered[index] ^= 0x01
            XCTAssertFalse(publicKey.isValidSignature(altered, for: hex(test3.message)), "byte \(index)")
        }
    }

    func testOtherMessageOrKeyFails() throws {
        let publicKey2 = try Ed25519PublicKey(rawRepresentation: hex(test2.publicKey))
        XCTAssertFalse(publicKey2.isValidSignature(hex(test2.signature), for: hex("73")))
        XCTAssertFalse(publicKey2.isValidSignature(hex(test3.signature), for: hex(test3.message)))
        XCTAssertFalse(publicKey2.isValidSignature(hex(test2.signature).prefix(63), for: hex(test2.message)))
    }

    func testWrongKeyLengthsAreRejected() {
        XCTAssertThrowsSigningError(.invalidKeyLength(algorithm: .ed25519, expected: 32, actual: 31),
                                    try Ed25519PrivateKey(rawRepresentation: [UInt8](repeating: 1, count: 31)))
        XCTAssertThrowsSigningError(.invalidKeyLength(algorithm: .ed25519, expected: 32, actual: 33),
                                    try Ed25519PublicKey(rawRepresentation: [UInt8](repeating: 1, count: 33)))
    }

    func testGeneratedKeysSignAndVerify() throws {
        let key = try Ed25519PrivateKey.generate()
        let other = try Ed25519PrivateKey.generate()
        XCTAssertNotEqual(key.rawRepresentation, other.rawRepresentation)
        let signature = key.signature(for: kibMessage)
        XCTAssertTrue(key.publicKey.isValidSignature(signature, for: kibMessage))
        XCTAssertFalse(other.publicKey.isValidSignature(signature, for: kibMessage))
    }
}
