import Foundation
import MeshSigning
import XCTest

/// The on-disk key ring: layout, permissions, reload, rotation, refusal and located errors.
final class KeyRingStoreTests: XCTestCase {
    private var ring = ""
    private let message = Array("envelope bytes".utf8)
    private let march14 = Date(timeIntervalSince1970: 1_773_480_600)  // 2026-03-14T09:30:00Z

    override func setUpWithError() throws {
        ring = NSTemporaryDirectory() + "meshsigning-\(UUID().uuidString)/keys"
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: (ring as NSString).deletingLastPathComponent)
    }

    private func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return (attributes[.posixPermissions] as! NSNumber).intValue & 0o777
    }

    private func trustJSON() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: ring + "/trust.json"))
        return try JSONSerialization.jsonObject(with: data) as! [String: Any]
    }

    private func writeTrustJSON(_ object: [String: Any]) throws {
        try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: ring + "/trust.json"))
    }

    /// Applies `edit` to the first key's entry in trust.json and returns that key id.
    private func editFirstKey(_ edit: (inout [String: Any]) -> Void) throws -> String {
        var document = try trustJSON()
        var keys = document["keys"] as! [String: Any]
        let keyId = keys.keys.sorted()[0]
        var entry = keys[keyId] as! [String: Any]
        edit(&entry)
        keys[keyId] = entry
        document["keys"] = keys
        try writeTrustJSON(document)
        return keyId
    }

    func testInitializeCreatesFilesWithOwnerOnlyPermissions() throws {
        let keys = try KeyRingStore.initialize(at: ring, roles: ["orchestrator", "reviewer"], people: ["alice"],
                                               algorithm: .hmacSHA256, now: march14)
        XCTAssertEqual(keys.count, 3)
        XCTAssertEqual(try mode(ring + "/private"), 0o700)
        for key in keys {
            XCTAssertTrue(key.keyId.hasPrefix("\(key.principal)-20260314-"), key.keyId)
            XCTAssertEqual(key.keyId.count, key.principal.count + 18, key.keyId)  // -yyyymmdd-8hex
            XCTAssertEqual(try mode("\(ring)/private/\(key.principal)"), 0o700)
            XCTAssertEqual(try mode("\(ring)/private/\(key.principal)/\(key.keyId).key"), 0o600)
            XCTAssertEqual(key.status, .active)
        }
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: keys.map { ($0.principal, $0.algorithm) }),
                       ["orchestrator": .hmacSHA256, "reviewer": .hmacSHA256, "alice": .ed25519])
        XCTAssertEqual(keys.first { $0.principal == "alice" }?.principalKind, .person)
        // trust.json holds the public key for people and only a file reference for HMAC roles.
        let entries = try trustJSON()["keys"] as! [String: [String: String]]
        let alice = entries[keys.first { $0.principal == "alice" }!.keyId]!
        XCTAssertNotNil(alice["publicKey"])
        let reviewerId = keys.first { $0.principal == "reviewer" }!.keyId
        XCTAssertEqual(entries[reviewerId]?["secretFile"], "private/reviewer/\(reviewerId).key")
        XCTAssertNil(entries[reviewerId]?["publicKey"])
    }

    func testReloadSignsAndVerifiesForBothAlgorithms() throws {
        for algorithm in SigningAlgorithm.allCases {
            try? FileManager.default.removeItem(atPath: ring)
            try KeyRingStore.initialize(at: ring, roles: ["coder"], people: ["alice"], algorithm: algorithm)
            let coder = try KeyRingStore.loadSigner(principal: "coder", from: ring)
            let alice = try KeyRingStore.loadSigner(principal: "alice", from: ring)
            let store = try KeyRingStore.loadTrustStore(from: ring)
            XCTAssertEqual(coder.metadata.algorithm, algorithm)
            XCTAssertEqual(alice.metadata.algorithm, .ed25519)
            XCTAssertEqual(try store.verify(message, signatures: [coder.sign(message)]).principal, "coder")
            XCTAssertEqual(try store.verify(message, signatures: [alice.sign(message)], from: "alice").principalKind, .person)
            XCTAssertEqual(try KeyRingStore.listKeys(in: ring).count, 2)
        }
    }

    func testRefusesToOverwriteUnlessAsked() throws {
        let first = try KeyRingStore.initialize(at: ring, roles: ["coder"], people: [], algorithm: .ed25519)
        XCTAssertThrowsSigningError(.keyRingExists(path: ring),
                                    try KeyRingStore.initialize(at: ring, roles: ["coder"], people: [], algorithm: .ed25519))
        XCTAssertEqual(try KeyRingStore.listKeys(in: ring), first)
        let second = try KeyRingStore.initialize(at: ring, roles: ["tester"], people: [], algorithm: .ed25519, overwrite: true)
        XCTAssertEqual(try KeyRingStore.listKeys(in: ring), second)
        XCTAssertFalse(FileManager.default.fileExists(atPath: ring + "/private/coder"))
    }

    func testRejectsBadAndRepeatedPrincipalNames() {
        XCTAssertThrowsSigningError(.invalidPrincipalName("../etc"),
                                    try KeyRingStore.initialize(at: ring, roles: ["../etc"], people: [], algorithm: .ed25519))
        XCTAssertThrowsSigningError(.duplicatePrincipal("alice"),
                                    try KeyRingStore.initialize(at: ring, roles: ["alice"], people: ["alice"], algorithm: .ed25519))
    }

    func testRotationKeepsOldSignaturesValidAndSignsWithTheNewKey() throws {
        for algorithm in SigningAlgorithm.allCases {
            try? FileManager.default.removeItem(atPath: ring)
            try KeyRingStore.initialize(at: ring, roles: ["coder"], people: [], algorithm: algorithm, now: march14)
            let old = try KeyRingStore.loadSigner(principal: "coder", from: ring)
            let oldSignature = old.sign(message)

            let rotated = try KeyRingStore.rotate(principal: "coder", at: ring, now: march14.addingTimeInterval(86_400))
            XCTAssertTrue(rotated.keyId.hasPrefix("coder-20260315-"))
            XCTAssertEqual(rotated.algorithm, algorithm)

            let current = try KeyRingStore.loadSigner(principal: "coder", from: ring)
            XCTAssertEqual(current.metadata.keyId, rotated.keyId)
            let store = try KeyRingStore.loadTrustStore(from: ring)
            XCTAssertEqual(store.key(id: old.metadata.keyId)?.metadata.status, .retired)
            XCTAssertEqual(try store.verify(message, signatures: [oldSignature]).keyId, old.metadata.keyId)
            let newSignature = current.sign(message)
            XCTAssertEqual(newSignature.keyId, rotated.keyId)
            XCTAssertEqual(try store.verify(message, signatures: [newSignature]).keyId, rotated.keyId)
        }
    }

    func testRevokedKeyStopsVerifyingAndRotateRecovers() throws {
        try KeyRingStore.initialize(at: ring, roles: ["coder"], people: [], algorithm: .ed25519)
        let stolen = try KeyRingStore.loadSigner(principal: "coder", from: ring)
        try KeyRingStore.revoke(keyId: stolen.metadata.keyId, at: ring)
        XCTAssertThrowsSigningError(.revokedKey(keyId: stolen.metadata.keyId),
                                    try KeyRingStore.loadTrustStore(from: ring).verify(message, signatures: [stolen.sign(message)]))
        XCTAssertThrowsSigningError(.noActiveKey(principal: "coder"), try KeyRingStore.loadSigner(principal: "coder", from: ring))
        let fresh = try KeyRingStore.rotate(principal: "coder", at: ring)
        XCTAssertEqual(try KeyRingStore.loadSigner(principal: "coder", from: ring).metadata.keyId, fresh.keyId)
        XCTAssertEqual(try KeyRingStore.loadTrustStore(from: ring).key(id: stolen.metadata.keyId)?.metadata.status, .revoked)
    }

    func testOverPermissivePrivateKeyIsRefused() throws {
        let keys = try KeyRingStore.initialize(at: ring, roles: ["coder"], people: [], algorithm: .hmacSHA256)
        let path = "\(ring)/private/coder/\(keys[0].keyId).key"
        XCTAssertEqual(chmod(path, 0o640), 0)
        XCTAssertThrowsSigningError(.insecurePermissions(path: path, mode: 0o100640), try KeyRingStore.loadSigner(principal: "coder", from: ring))
        // Verifiers of HMAC read the same secret, so they refuse it too.
        XCTAssertThrowsSigningError(.insecurePermissions(path: path, mode: 0o100640), try KeyRingStore.loadTrustStore(from: ring))
        XCTAssertTrue(SigningError.insecurePermissions(path: path, mode: 0o100640).description.contains("chmod 600"))
    }

    func testMalformedPrivateKeyFileNamesTheFile() throws {
        let keys = try KeyRingStore.initialize(at: ring, roles: ["coder"], people: [], algorithm: .ed25519)
        let path = "\(ring)/private/coder/\(keys[0].keyId).key"
        try "%%%\n".write(toFile: path, atomically: false, encoding: .utf8)
        XCTAssertThrowsSigningError(.malformedKeyFile(path: path, keyId: keys[0].keyId, field: nil, reason: "not valid base64"),
                                    try KeyRingStore.loadSigner(principal: "coder", from: ring))
        try (Data(repeating: 7, count: 32).base64EncodedString() + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        XCTAssertThrowsError(try KeyRingStore.loadSigner(principal: "coder", from: ring)) { error in
            XCTAssertTrue("\(error)".contains("does not match the publicKey in trust.json"), "\(error)")
        }
    }

    // MARK: malformed trust.json

    func testBadJSONNamesTheFile() throws {
        try KeyRingStore.initialize(at: ring, roles: ["coder"], people: [], algorithm: .ed25519)
        try "{ not json".write(toFile: ring + "/trust.json", atomically: false, encoding: .utf8)
        XCTAssertThrowsError(try KeyRingStore.loadTrustStore(from: ring)) { error in
            guard case .malformedKeyFile(let path, nil, nil, let reason)? = error as? SigningError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(path, self.ring + "/trust.json")
            XCTAssertTrue(reason.hasPrefix("not valid JSON"), reason)
        }
    }

    func testMissingFieldIsNamed() throws {
        try KeyRingStore.initialize(at: ring, roles: ["coder"], people: [], algorithm: .ed25519)
        let keyId = try editFirstKey { $0["principalKind"] = nil }
        XCTAssertThrowsSigningError(.malformedKeyFile(path: ring + "/trust.json", keyId: keyId, field: "principalKind", reason: "missing"),
                                    try KeyRingStore.loadTrustStore(from: ring))
    }

    func testBadBase64IsNamed() throws {
        try KeyRingStore.initialize(at: ring, roles: ["reviewer"], people: [], algorithm: .ed25519)
        let keyId = try editFirstKey { $0["publicKey"] = "not*base64!" }
        let expected = SigningError.malformedKeyFile(path: ring + "/trust.json", keyId: keyId, field: "publicKey", reason: "not valid base64")
        XCTAssertThrowsSigningError(expected, try KeyRingStore.loadTrustStore(from: ring))
        XCTAssertEqual(expected.description, "\(ring)/trust.json: key \"\(keyId)\": field \"publicKey\": not valid base64")
    }

    func testWrongKeyLengthIsNamed() throws {
        try KeyRingStore.initialize(at: ring, roles: ["coder"], people: [], algorithm: .ed25519)
        let keyId = try editFirstKey { $0["publicKey"] = Data(repeating: 1, count: 31).base64EncodedString() }
        XCTAssertThrowsSigningError(.malformedKeyFile(path: ring + "/trust.json", keyId: keyId, field: "publicKey",
                                                      reason: "an Ed25519 public key is 32 bytes, found 31"),
                                    try KeyRingStore.loadTrustStore(from: ring))
    }

    func testWrongTypeAndUnknownValuesAreNamed() throws {
        try KeyRingStore.initialize(at: ring, roles: ["coder"], people: [], algorithm: .ed25519)
        var keyId = try editFirstKey { $0["status"] = 3 }
        XCTAssertThrowsSigningError(.malformedKeyFile(path: ring + "/trust.json", keyId: keyId, field: "status", reason: "expected a string"),
                                    try KeyRingStore.loadTrustStore(from: ring))
        keyId = try editFirstKey { $0["status"] = "paused" }
        XCTAssertThrowsSigningError(.malformedKeyFile(path: ring + "/trust.json", keyId: keyId, field: "status",
                                                      reason: "\"paused\" is not one of active, retired, revoked"),
                                    try KeyRingStore.loadTrustStore(from: ring))
    }

    func testPersonWithHMACKeyIsRejected() throws {
        try KeyRingStore.initialize(at: ring, roles: [], people: ["alice"], algorithm: .ed25519)
        let keyId = try editFirstKey { $0["algorithm"] = "hmac-sha256" }
        XCTAssertThrowsSigningError(.malformedKeyFile(path: ring + "/trust.json", keyId: keyId, field: "algorithm",
                                                      reason: "people must use ed25519 so their approvals are non-repudiable"),
                                    try KeyRingStore.loadTrustStore(from: ring))
    }

    func testMissingRingSaysHowToCreateOne() {
        XCTAssertThrowsError(try KeyRingStore.loadTrustStore(from: ring)) { error in
            XCTAssertTrue("\(error)".contains("meshctl keys init"), "\(error)")
        }
    }
}
