import Foundation

/// Permits for bounded in-flight work; waiters resume in arrival order.
final class AsyncSemaphore: @unchecked Sendable {
    private let lock = NSLock()
    private var available: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(permits: Int) {
        available = permits
    }

    func acquire() async {
        // A free permit is taken without suspending: a continuation always suspends the task
        // and schedules it again, a hop per message in the worker's read loop. Permits are
        // only free while nobody waits, so this keeps arrival order.
        if lock.withLock(takeFreePermit) { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted: Bool = lock.withLock {
                if takeFreePermit() { return true }
                waiters.append(continuation)
                return false
            }
            if granted { continuation.resume() }
        }
    }

    /// Under the lock.
    private func takeFreePermit() -> Bool {
        guard available > 0 else { return false }
        available -= 1
        return true
    }

    func release() {
        let waiter: CheckedContinuation<Void, Never>? = lock.withLock {
            if waiters.isEmpty {
                available += 1
                return nil
            }
            return waiters.removeFirst()
        }
        waiter?.resume()
    }
}
