import Dispatch
import MeshSigning
import XCTest

/// Prints the cost of signing and verifying a 1 KiB message. It asserts nothing about speed
/// (shared CI machines vary); run with `-c release` for meaningful figures.
final class MeasurementTests: XCTestCase {
    func testReportNanosecondsPerOperationFor1KiB() throws {
        let hmac = try makeSigner("coder", .hmacSHA256)
        let ed25519 = try makeSigner("alice", .ed25519, kind: .person)
        let store = try TrustStore([hmac.verificationKey, ed25519.verificationKey])
        let hmacSignature = hmac.sign(kibMessage)
        let ed25519Signature = ed25519.sign(kibMessage)

        let figures = [
            ("hmac-sha256 sign", measureNanoseconds(iterations: 20_000) { _ = hmac.sign(kibMessage) }),
            ("hmac-sha256 verify", measureNanoseconds(iterations: 20_000) { _ = try? store.verify(kibMessage, signatures: [hmacSignature]) }),
            ("ed25519 sign", measureNanoseconds(iterations: 2_000) { _ = ed25519.sign(kibMessage) }),
            ("ed25519 verify", measureNanoseconds(iterations: 2_000) { _ = try? store.verify(kibMessage, signatures: [ed25519Signature]) }),
            ("sha-256 1 KiB", measureNanoseconds(iterations: 20_000) { _ = SHA256Digest.hash(kibMessage) }),
        ]
        for (name, nanoseconds) in figures {
            print("MeshSigning 1 KiB \(name): \(nanoseconds) ns/op")
        }
        XCTAssertNoThrow(try store.verify(kibMessage, signatures: [hmacSignature, ed25519Signature]))
    }

    /// Best of three runs, in nanoseconds per iteration.
    private func measureNanoseconds(iterations: Int, _ body: () -> Void) -> UInt64 {
        for _ in 0..<(iterations / 10) { body() }  // warm-up: fills caches
        var best = UInt64.max
        for _ in 0..<3 {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<iterations { body() }
            best = min(best, (DispatchTime.now().uptimeNanoseconds - start) / UInt64(iterations))
        }
        return best
    }
}
