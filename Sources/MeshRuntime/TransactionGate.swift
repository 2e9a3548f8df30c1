import Foundation

/// Lets many short pieces of work add records and offsets to the open transaction at once,
/// and gives the committer the transaction to itself: while it holds the gate no piece is
/// half inside, so the offsets it takes match the records it commits.
///
/// Pieces enter asynchronously (they wait without blocking a thread while a commit runs);
/// the committer closes from its own thread and blocks until the pieces inside have left.
/// One closer at a time (the caller serialises commits).
final class TransactionGate: @unchecked Sendable {
    private let lock = NSLock()
    private var inside = 0
    private var closed = false
    private var closerWaiting = false
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private let drained = DispatchSemaphore(value: 0)

    /// Enters as one piece of work; waits while the gate is closed. Pair with ``leave()``.
    func enter() async {
        if lock.withLock({ tryEnter() }) { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let entered: Bool = lock.withLock {
                if tryEnter() { return true }
                waiting.append(continuation)
                return false
            }
            if entered { continuation.resume() }
        }
    }

    func leave() {
        let wakeCloser: Bool = lock.withLock {
            inside -= 1
            guard inside == 0, closerWaiting else { return false }
            closerWaiting = false
            return true
        }
        if wakeCloser { drained.signal() }
    }

    /// Closes the gate and blocks the calling thread until every piece inside has left.
    func close() {
        let mustWait: Bool = lock.withLock {
            closed = true
            closerWaiting = inside > 0
            return closerWaiting
        }
        if mustWait { drained.wait() }
    }

    /// Opens the gate again and lets the waiting pieces in.
    func open() {
        let admitted: [CheckedContinuation<Void, Never>] = lock.withLock {
            closed = false
            defer { waiting = [] }
            inside += waiting.count
            return waiting
        }
        admitted.forEach { $0.resume() }
    }

    /// Called with `lock` held.
    private func tryEnter() -> Bool {
        guard !closed else { return false }
        inside += 1
        return true
    }
}
