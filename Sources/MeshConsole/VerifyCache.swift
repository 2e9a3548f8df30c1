import Foundation

/// The last verify result and the store position it was computed at. Verifying re-reads and
/// re-checks every record, so a visit that finds the store where the last one left it (same
/// head sequence and hash, same number of checkpoints) reuses that result, but never for longer
/// than `maxAge`: rows altered behind the store's back under an unchanged head would otherwise
/// stay hidden until the next append, and an auditor reading the page must not see a stale
/// "VERIFIED" for long. The page shows when the result was computed; `meshctl audit verify`
/// always checks afresh.
final class VerifyCache<Key: Hashable, Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var last: (key: Key, value: Value, at: Date)?
    private let maxAge: TimeInterval
    private let now: @Sendable () -> Date
    /// How many times `compute` ran (the tests' measure of what a visit costs).
    private(set) var computations = 0

    init(maxAge: TimeInterval = 60, now: @escaping @Sendable () -> Date = Date.init) {
        self.maxAge = maxAge
        self.now = now
    }

    /// The value for `key` and when it was computed: computed again when `key` differs from the
    /// last one or the last result is older than `maxAge`; failures are not kept.
    func value(for key: Key, compute: () throws -> Value) rethrows -> (value: Value, computedAt: Date) {
        try lock.withLock {
            let time = now()
            if let last, last.key == key, time.timeIntervalSince(last.at) < maxAge { return (last.value, last.at) }
            computations += 1
            let value = try compute()
            last = (key, value, time)
            return (value, time)
        }
    }
}
