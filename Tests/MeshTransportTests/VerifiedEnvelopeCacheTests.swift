import Foundation
import MeshSigning
import MeshTransport
import MeshWire
import XCTest

/// Ed25519 verification once per envelope per process: the same sealed bytes are answered
/// from the cache, any other bytes are verified again, HMAC envelopes are not cached.
final class VerifiedEnvelopeCacheTests: XCTestCase {
    func testTheSameEd25519EnvelopeIsVerifiedOnce() throws {
        let ring = try TestKeyRing(algorithm: .ed25519)
        let opener = try ring.opener()
        let sealed = try ring.sealer("coding").seal(sampleResult())
        XCTAssertEqual(try opener.open(sealed).get().signer.principal, "coding")
        XCTAssertEqual(opener.verified.hitCount, 0)
        XCTAssertEqual(try opener.open(sealed).get().signer.principal, "coding")
        XCTAssertEqual(opener.verified.hitCount, 1, "the second open of the same bytes comes from the cache")

        // Other bytes (one flipped near the end of the envelope) are verified again, and fail.
        var altered = sealed
        altered[altered.count / 2] ^= 1
        XCTAssertThrowsError(try opener.open(altered).get())
        XCTAssertEqual(opener.verified.hitCount, 1)
    }

    func testHMACEnvelopesAreNotCached() throws {
        let ring = try TestKeyRing(algorithm: .hmacSHA256)
        let opener = try ring.opener()
        let sealed = try ring.sealer("coding").seal(sampleResult())
        _ = try opener.open(sealed).get()
        _ = try opener.open(sealed).get()
        XCTAssertEqual(opener.verified.hitCount, 0)
    }

    func testTheCacheIsBounded() throws {
        let ring = try TestKeyRing(algorithm: .ed25519)
        let opener = EnvelopeOpener(trust: try KeyRingStore.loadTrustStore(from: ring.directory), verified: VerifiedEnvelopeCache(capacity: 2))
        let sealer = try ring.sealer("coding")
        let first = try sealer.seal(sampleResult(correlationID: "a"))
        for id in ["a", "b", "c"] { _ = try opener.open(try id == "a" ? first : sealer.seal(sampleResult(correlationID: id))).get() }
        _ = try opener.open(first).get()
        XCTAssertEqual(opener.verified.hitCount, 0, "the oldest entry was dropped")
    }
}
