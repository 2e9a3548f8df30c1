import Dispatch
import MeshSigning
import XCTest

/// Signers and trust stores are shared by every worker thread of a role.
final class ConcurrencyTests: XCTestCase {
    func testConcurrentSignAndVerifyGiveCorrectResults() throws {
        let hmac = try makeSigner("coder", .hmacSHA256)
        let ed25519 = try makeSigner("alice", .ed25519, kind: .person)
        let store = try TrustStore([hmac.verificationKey, ed25519.verificationKey])
        // Reference tags computed serially; every thread must reproduce them exactly.
        let messages = (0..<64).map { index in Array("message \(index) ".utf8) + kibMessage }
        let expectedHMAC = messages.map { hmac.sign($0).bytes }
        let expectedEd25519 = messages.map { ed25519.sign($0).bytes }

        let failures = FailureCounter()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            for round in 0..<50 {
                let index = (worker * 7 + round) % messages.count
                let message = messages[index]
                let tag = hmac.sign(message)
                let signature = ed25519.sign(message)
                if tag.bytes != expectedHMAC[index] || signature.bytes != expectedEd25519[index] { failures.add() }
                do {
                    let signers = try store.verifyAll(message, signatures: [tag, signature])
                    if signers.map(\.principal) != ["coder", "alice"] { failures.add() }
                } catch { failures.add() }
                var tampered = message
                tampered[0] ^= 1
                if (try? store.verify(tampered, signatures: [tag])) != nil { failures.add() }
                if (try? store.verify(tampered, signatures: [signature])) != nil { failures.add() }
            }
        }
        XCTAssertEqual(failures.count, 0)
    }
}

/// A thread-safe failure tally for `concurrentPerform` bodies.
private final class FailureCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func add() { lock.lock(); value += 1; lock.unlock() }
    var count: Int { lock.lock(); defer { lock.unlock() }; return value }
}
