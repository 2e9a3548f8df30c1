import Foundation
import MeshSigning

/// Envelopes whose Ed25519 signatures this process already verified, by the SHA-256 of their
/// exact sealed bytes, so a redelivered or re-read envelope is not verified again (an Ed25519
/// verification costs ~130 µs, the digest of a 1 KiB envelope ~2 µs). Only successes are
/// kept: the same bytes under the same trust store verify the same way, and failures are rare
/// and should stay loud. Bounded: the oldest entries are dropped first.
///
/// HMAC-only envelopes are not cached: their verification costs about what the digest does.
public final class VerifiedEnvelopeCache: @unchecked Sendable {
    private let capacity: Int
    /// Guards the fields below; held only for dictionary work, never across verification.
    private let lock = NSLock()
    private var signers: [[UInt8]: VerifiedSigner] = [:]
    private var order: [[UInt8]] = []
    private var oldest = 0
    private(set) var hits = 0

    /// A cache of at most `capacity` envelopes.
    public init(capacity: Int = 8_192) {
        precondition(capacity > 0, "capacity must be positive")
        self.capacity = capacity
    }

    func signer(for digest: [UInt8]) -> VerifiedSigner? {
        lock.withLock {
            guard let signer = signers[digest] else { return nil }
            hits += 1
            return signer
        }
    }

    func insert(_ signer: VerifiedSigner, for digest: [UInt8]) {
        lock.withLock {
            guard signers.updateValue(signer, forKey: digest) == nil else { return }
            if order.count < capacity {
                order.append(digest)
            } else {
                signers[order[oldest]] = nil
                order[oldest] = digest
                oldest = (oldest + 1) % capacity
            }
        }
    }

    /// Envelopes answered from the cache so far (tests, metrics).
    public var hitCount: Int { lock.withLock { hits } }
}
