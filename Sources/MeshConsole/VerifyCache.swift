import Foundation

/// The last verify result and the store position it was computed at. Verifying re-reads and
/// re-checks every record, so a visit that finds the store where the last one left it (same
/// head sequence and hash, same number of checkpoints) reuses that result. A change under an
/// unchanged head (rows altered behind the store's back) shows at the next append or restart;
/// `meshctl audit verify` always checks afresh.
final class VerifyCache<Key: Hashable, Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var last: (key: Key, value: Value)?
    /// How many times `compute` ran (the tests' measure of what a visit costs).
    private(set) var computations = 0

    /// The value for `key`, computed only when `key` differs from the last one; failures are not kept.
    func value(for key: Key, compute: () throws -> Value) rethrows -> Value {
        try lock.withLock {
            if let last, last.key == key { return last.value }
            computations += 1
            let value = try compute()
            last = (key, value)
            return value
        }
    }
}
