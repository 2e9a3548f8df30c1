import Foundation

/// Locks a user name out after `maxFailures` wrong passwords in a row, for `lockout` seconds,
/// so passwords cannot be guessed online. Counted per replica: with n replicas an attacker
/// gets at most n × maxFailures tries per lockout period.
public final class LoginThrottle: @unchecked Sendable {
    public enum Verdict: Equatable, Sendable {
        case allowed
        case locked(untilUnixSeconds: Int64)
    }

    private struct Record {
        var failures = 0
        var lockedUntil: Int64 = 0
    }

    private let lock = NSLock()
    private var records: [String: Record] = [:]
    public let maxFailures: Int
    public let lockout: Int64

    public init(maxFailures: Int, lockout: Int64) {
        self.maxFailures = maxFailures
        self.lockout = lockout
    }

    /// Whether `user` may try a password now.
    public func check(_ user: String, now: Int64) -> Verdict {
        lock.withLock {
            guard let record = records[user], record.lockedUntil > now else { return .allowed }
            return .locked(untilUnixSeconds: record.lockedUntil)
        }
    }

    /// Records a failure; returns the lock when this failure reached the limit.
    @discardableResult
    public func failed(_ user: String, now: Int64) -> Verdict {
        lock.withLock {
            var record = records[user] ?? Record()
            record.failures += 1
            if record.failures >= maxFailures {
                record = Record(failures: 0, lockedUntil: now + lockout)
                records[user] = record
                return .locked(untilUnixSeconds: record.lockedUntil)
            }
            records[user] = record
            return .allowed
        }
    }

    public func succeeded(_ user: String) {
        lock.withLock { _ = records.removeValue(forKey: user) }
    }
}
