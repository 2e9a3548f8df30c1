import Foundation
import MeshSigning
import XCTest

/// The audit sink's checkpoint key: always Ed25519, pinned in trust.json, the only key the
/// checkpoint trust store holds, kept pinned across rotation.
final class CheckpointKeyPinningTests: XCTestCase {
    private var ring = ""
    private var trustFile: String { KeyRingStore.trustFile(in: ring) }

    override func setUpWithError() throws {
        ring = NSTemporaryDirectory() + "meshsigning-pin-\(UUID().uuidString)/keys"
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: (ring as NSString).deletingLastPathComponent)
    }

    private func initialize() throws {
        try KeyRingStore.initialize(at: ring, roles: ["coding", "audit-sink"], people: ["alice"], algorithm: .hmacSHA256,
                                    checkpointSigners: ["audit-sink"])
    }

    func testTheSinkKeyIsEd25519AndTheOnlyCheckpointKey() throws {
        try initialize()
        let keys = try KeyRingStore.listKeys(in: ring)
        XCTAssertEqual(keys.first { $0.principal == "audit-sink" }?.algorithm, .ed25519, "whatever the role algorithm")
        XCTAssertEqual(keys.first { $0.principal == "coding" }?.algorithm, .hmacSHA256)
        let trust = try KeyRingStore.loadCheckpointTrust(trustFile: trustFile)
        XCTAssertEqual(trust.allKeys.map(\.principal), ["audit-sink"])

        let message = Array("tree head".utf8)
        let sink = try KeyRingStore.loadSigner(principal: "audit-sink", from: ring)
        XCTAssertEqual(try trust.verify(message, signatures: [sink.sign(message)]).principal, "audit-sink")
        for other in ["coding", "alice"] {
            let signer = try KeyRingStore.loadSigner(principal: other, from: ring)
            XCTAssertThrowsError(try trust.verify(message, signatures: [signer.sign(message)]), "\(other) must not sign checkpoints")
        }
    }

    func testRotationPinsTheNewKeyAndKeepsTheOld() throws {
        try initialize()
        let old = try KeyRingStore.loadSigner(principal: "audit-sink", from: ring)
        let new = try KeyRingStore.rotate(principal: "audit-sink", at: ring)
        XCTAssertEqual(new.algorithm, .ed25519)
        let trust = try KeyRingStore.loadCheckpointTrust(trustFile: trustFile)
        XCTAssertEqual(Set(trust.allKeys.map(\.keyId)), [old.metadata.keyId, new.keyId])
        try KeyRingStore.rotate(principal: "coding", at: ring)
        XCTAssertEqual(try KeyRingStore.loadCheckpointTrust(trustFile: trustFile).allKeys.count, 2, "other rotations pin nothing")
    }

    func testARingWithoutAPinIsRefusedWithWhatToDo() throws {
        try KeyRingStore.initialize(at: ring, roles: ["coding", "audit-sink"], people: [], algorithm: .ed25519)
        XCTAssertThrowsError(try KeyRingStore.loadCheckpointTrust(trustFile: trustFile)) { error in
            XCTAssertEqual(error as? SigningError, .noCheckpointKey(path: self.trustFile))
            XCTAssertTrue("\(error)".contains("meshctl keys init --force"), "\(error)")
        }
    }

    func testAnHMACKeyCannotBePinned() throws {
        try initialize()
        var document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: trustFile))) as! [String: Any]
        let coding = try KeyRingStore.listKeys(in: ring).first { $0.principal == "coding" }!.keyId
        document["checkpointKeys"] = [coding]
        try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: trustFile))
        XCTAssertThrowsError(try KeyRingStore.loadCheckpointTrust(trustFile: trustFile)) { error in
            XCTAssertTrue("\(error)".contains("only ed25519 keys may sign checkpoints"), "\(error)")
        }
    }

    func testACheckpointSignerMustBeARole() {
        XCTAssertThrowsError(try KeyRingStore.initialize(at: ring, roles: ["coding"], people: [], algorithm: .ed25519,
                                                         checkpointSigners: ["audit-sink"]))
    }
}
