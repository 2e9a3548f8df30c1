import Foundation
import MeshSigning
import XCTest

/// Taking a person's key out of the ring (for the console to seal under their password).
final class PersonSeedTests: XCTestCase {
    private var ring = ""

    override func setUpWithError() throws {
        ring = NSTemporaryDirectory() + "meshsigning-\(UUID().uuidString)/keys"
        _ = try KeyRingStore.initialize(at: ring, roles: ["reviewer"], people: ["alice"], algorithm: .ed25519)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: (ring as NSString).deletingLastPathComponent)
    }

    func testThePersonSeedLeavesTheRingAndStillMatchesTheTrustedPublicKey() throws {
        let before = try KeyRingStore.loadSigner(principal: "alice", from: ring)
        let taken = try KeyRingStore.takePersonSeed(principal: "alice", from: ring)
        XCTAssertEqual(taken.metadata.keyId, before.metadata.keyId)
        let signer = MessageSigner(metadata: taken.metadata, ed25519: try Ed25519PrivateKey(rawRepresentation: taken.seed))
        let message = Array("approve".utf8)
        let verified = try KeyRingStore.loadTrustStore(from: ring).verify(message, signatures: [signer.sign(message)], from: "alice")
        XCTAssertEqual(verified.keyId, taken.metadata.keyId)
        XCTAssertThrowsError(try KeyRingStore.loadSigner(principal: "alice", from: ring), "the ring no longer holds the private key")
        XCTAssertThrowsError(try KeyRingStore.takePersonSeed(principal: "alice", from: ring), "taken once only")
    }

    func testARoleKeyIsNeverTaken() throws {
        XCTAssertThrowsError(try KeyRingStore.takePersonSeed(principal: "reviewer", from: ring))
        XCTAssertNoThrow(try KeyRingStore.loadSigner(principal: "reviewer", from: ring), "the role key stays in the ring")
    }
}
