#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Random 64-bit values from the system CSPRNG, drawn a block at a time so that minting an
/// envelope id does not cost a `getrandom` system call each time (that call was a tenth of
/// the per-record CPU of building an envelope). Values are handed out once each; safe to use
/// from many threads. Ids are not secrets, but the values are still cryptographically random.
final class RandomPool: @unchecked Sendable {
    static let shared = RandomPool()

    /// 256 bytes: the most one `getentropy` call returns.
    private static let blockCount = 32
    private let lock = PlatformLock()
    private let block = UnsafeMutablePointer<UInt64>.allocate(capacity: RandomPool.blockCount)
    // Guarded by `lock`: values of `block` not handed out yet start at `next`.
    private var position = RandomPool.blockCount

    private init() {}

    func next() -> UInt64 {
        lock.withLock {
            if position == Self.blockCount {
                refill()
                position = 0
            }
            let value = block[position]
            position += 1
            return value
        }
    }

    /// Fills `block` in one system call where the platform has a bulk call; value by value
    /// from the standard generator otherwise.
    private func refill() {
        let byteCount = Self.blockCount * MemoryLayout<UInt64>.stride
        #if canImport(Darwin)
        arc4random_buf(block, byteCount)
        #else
        #if canImport(Glibc)
        if getentropy(block, byteCount) == 0 { return }
        #endif
        var generator = SystemRandomNumberGenerator()
        for index in 0..<Self.blockCount { block[index] = generator.next() }
        #endif
    }
}
