import MeshSigning
import XCTest

/// Signing and verification through `MessageSigner` and `TrustStore`, for both algorithms.
final class TrustStoreTests: XCTestCase {
    private let message = Array("{\"type\":\"mesh.result\",\"id\":\"42\"}".utf8)

    func testRoundTripBothAlgorithms() throws {
        for algorithm in SigningAlgorithm.allCases {
            let signer = try makeSigner("coder", algorithm)
            let store = try TrustStore([signer.verificationKey])
            let signature = signer.sign(message)
            XCTAssertEqual(signature.algorithm, algorithm)
            XCTAssertEqual(signature.keyId, signer.metadata.keyId)
            XCTAssertEqual(signature.bytes.count, algorithm == .ed25519 ? 64 : 32)
            let verified = try store.verify(message, signatures: [signature])
            XCTAssertEqual(verified, VerifiedSigner(keyId: signer.metadata.keyId, principal: "coder", principalKind: .role, algorithm: algorithm))
        }
    }

    func testTamperedMessageIsBadSignature() throws {
        for algorithm in SigningAlgorithm.allCases {
            let signer = try makeSigner("coder", algorithm)
            let store = try TrustStore([signer.verificationKey])
            let signature = signer.sign(message)
            var tampered = message
            tampered[5] ^= 0x20
            XCTAssertThrowsSigningError(.badSignature(keyId: signer.metadata.keyId), try store.verify(tampered, signatures: [signature]))
            var forged = signature
            forged.bytes[0] ^= 1
            XCTAssertThrowsSigningError(.badSignature(keyId: signer.metadata.keyId), try store.verify(message, signatures: [forged]))
        }
    }

    func testNoSignatures() throws {
        let store = try TrustStore([try makeSigner("coder", .ed25519).verificationKey])
        XCTAssertThrowsSigningError(.noSignatures, try store.verify(message, signatures: []))
    }

    func testUnknownKeyIdIsNamed() throws {
        let trusted = try makeSigner("coder", .ed25519)
        let stranger = try makeSigner("intruder", .ed25519)
        let store = try TrustStore([trusted.verificationKey])
        XCTAssertThrowsSigningError(.unknownKeyId(stranger.metadata.keyId), try store.verify(message, signatures: [stranger.sign(message)]))
        XCTAssertTrue(SigningError.unknownKeyId("intruder-1").description.contains("\"intruder-1\""))
    }

    func testUnknownKeyIsSkippedWhenAKnownKeyVerifies() throws {
        let trusted = try makeSigner("coder", .hmacSHA256)
        let newer = try makeSigner("coder", .hmacSHA256, keyId: "coder-not-yet-distributed")
        let store = try TrustStore([trusted.verificationKey])
        let verified = try store.verify(message, signatures: [newer.sign(message), trusted.sign(message)])
        XCTAssertEqual(verified.keyId, trusted.metadata.keyId)
    }

    func testAlgorithmMismatch() throws {
        let signer = try makeSigner("coder", .ed25519)
        let store = try TrustStore([signer.verificationKey])
        var relabelled = signer.sign(message)
        relabelled.algorithm = .hmacSHA256
        XCTAssertThrowsSigningError(
            .algorithmMismatch(keyId: signer.metadata.keyId, signature: .hmacSHA256, key: .ed25519),
            try store.verify(message, signatures: [relabelled]))
    }

    func testPrincipalCannotSignAsAnother() throws {
        for algorithm in SigningAlgorithm.allCases {
            let reviewer = try makeSigner("reviewer", algorithm)
            let coder = try makeSigner("coder", algorithm)
            let store = try TrustStore([reviewer.verificationKey, coder.verificationKey])
            // The coder labels its own signature with the reviewer's key id: it does not verify.
            var impersonation = coder.sign(message)
            impersonation.keyId = reviewer.metadata.keyId
            XCTAssertThrowsSigningError(.badSignature(keyId: reviewer.metadata.keyId), try store.verify(message, signatures: [impersonation]))
            // Honestly labelled, it verifies as the coder, never as the reviewer.
            XCTAssertEqual(try store.verify(message, signatures: [coder.sign(message)]).principal, "coder")
            XCTAssertThrowsSigningError(.principalMismatch(expected: "reviewer", actual: ["coder"]),
                                        try store.verify(message, signatures: [coder.sign(message)], from: "reviewer"))
            XCTAssertEqual(try store.verify(message, signatures: [reviewer.sign(message)], from: "reviewer").principal, "reviewer")
        }
    }

    func testRetiredKeysVerifyRevokedKeysDoNot() throws {
        let retired = try makeSigner("coder", .ed25519, keyId: "coder-old", status: .retired)
        let revoked = try makeSigner("coder", .ed25519, keyId: "coder-stolen", status: .revoked)
        let store = try TrustStore([retired.verificationKey, revoked.verificationKey])
        XCTAssertEqual(try store.verify(message, signatures: [retired.sign(message)]).keyId, "coder-old")
        XCTAssertThrowsSigningError(.revokedKey(keyId: "coder-stolen"), try store.verify(message, signatures: [revoked.sign(message)]))
        // A revoked signature poisons the message even next to a good one.
        XCTAssertThrowsSigningError(.revokedKey(keyId: "coder-stolen"),
                                    try store.verify(message, signatures: [retired.sign(message), revoked.sign(message)]))
    }

    func testCoSignedMessageReportsEverySigner() throws {
        let role = try makeSigner("orchestrator", .hmacSHA256)
        let person = try makeSigner("alice", .ed25519, kind: .person)
        let store = try TrustStore([role.verificationKey, person.verificationKey])
        let signers = try store.verifyAll(message, signatures: [role.sign(message), person.sign(message)])
        XCTAssertEqual(signers.map(\.principal), ["orchestrator", "alice"])
        XCTAssertEqual(signers.map(\.principalKind), [.role, .person])
        XCTAssertEqual(try store.verify(message, signatures: [role.sign(message), person.sign(message)], from: "alice").algorithm, .ed25519)
    }

    func testDuplicateKeyIdsAndBadLengthsAreRejected() throws {
        let signer = try makeSigner("coder", .ed25519)
        XCTAssertThrowsSigningError(.duplicateKeyId(signer.metadata.keyId), try TrustStore([signer.verificationKey, signer.verificationKey]))
        let metadata = KeyMetadata(keyId: "k", algorithm: .hmacSHA256, principal: "coder", principalKind: .role)
        XCTAssertThrowsSigningError(.invalidKeyLength(algorithm: .hmacSHA256, expected: 32, actual: 16),
                                    try MessageSigner(metadata: metadata, hmacSecret: [UInt8](repeating: 1, count: 16)))
        XCTAssertThrowsSigningError(.invalidKeyLength(algorithm: .hmacSHA256, expected: 32, actual: 0),
                                    try VerificationKey.hmacSHA256(metadata, secret: []))
    }

    func testErrorMessagesSayWhatToDo() {
        XCTAssertTrue(SigningError.insecurePermissions(path: "keys/private/a/b.key", mode: 0o100644).description
            .contains("chmod 600 keys/private/a/b.key"))
        XCTAssertTrue(SigningError.insecurePermissions(path: "x", mode: 0o100644).description.contains("mode 644"))
        XCTAssertEqual(SigningError.malformedKeyFile(path: "keys/trust.json", keyId: "reviewer-1", field: "publicKey",
                                                     reason: "not valid base64").description,
                       "keys/trust.json: key \"reviewer-1\": field \"publicKey\": not valid base64")
        XCTAssertTrue(SigningError.badSignature(keyId: "coder-1").description.contains("\"coder-1\""))
    }
}
