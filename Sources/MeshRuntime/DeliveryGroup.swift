import Foundation
import MeshKafka

/// The delivery reports of one batch of outputs: enqueue first, learn the outcome later, so a
/// partition lane can hand its outputs to librdkafka and go on while the broker acknowledges
/// them.
final class DeliveryGroup: @unchecked Sendable {
    private let lock = NSLock()
    private var outstanding: Int
    private var failure: Error?
    private var onComplete: (@Sendable (Error?) -> Void)?

    init(expected: Int) {
        outstanding = expected
    }

    func completed(_ result: Result<Void, KafkaError>) {
        finish(count: 1, error: result.failureValue)
    }

    /// Enqueueing stopped at some output: the rest will never report.
    func abandon(remaining: Int, error: Error) {
        finish(count: remaining, error: error)
    }

    /// Calls `body` once every output was acknowledged (with `nil`) or the group failed (with
    /// the first failure): at once if that is already so, else on the thread of the last
    /// delivery report. One call per group.
    func whenComplete(_ body: @escaping @Sendable (Error?) -> Void) {
        let done: Error?? = lock.withLock {
            guard outstanding <= 0 else {
                onComplete = body
                return nil
            }
            return .some(failure)
        }
        if let done { body(done) }
    }

    /// Returns once every output was acknowledged; throws the first failure.
    func wait() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            whenComplete { error in
                if let error { continuation.resume(throwing: error) } else { continuation.resume() }
            }
        }
    }

    private func finish(count: Int, error: Error?) {
        let resume: ((@Sendable (Error?) -> Void), Error?)? = lock.withLock {
            outstanding -= count
            if let error, failure == nil { failure = error }
            guard outstanding <= 0, let onComplete else { return nil }
            self.onComplete = nil
            return (onComplete, failure)
        }
        guard let (onComplete, failure) = resume else { return }
        onComplete(failure)
    }
}

extension Result {
    fileprivate var failureValue: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

/// Work a worker must see finish (or cancel) before it closes: inputs whose outputs await the
/// broker's acknowledgement (counted, no task each), and the tasks that publish outputs again
/// after a retriable failure.
final class PendingWork: @unchecked Sendable {
    private let lock = NSLock()
    private var awaiting = 0
    private var tasks: [UInt64: Task<Void, Never>] = [:]
    private var nextID: UInt64 = 0
    private var idle: [CheckedContinuation<Void, Never>] = []

    /// One more input awaits its acknowledgements; ``end()`` when they came.
    func begin() {
        lock.withLock { awaiting += 1 }
    }

    func end() {
        let waiters: [CheckedContinuation<Void, Never>] = lock.withLock {
            awaiting -= 1
            return takeIdleWaiters()
        }
        waiters.forEach { $0.resume() }
    }

    func start(_ body: @escaping @Sendable () async -> Void) {
        lock.withLock {
            let id = nextID
            nextID += 1
            // The task removes itself under the lock, so never before it was added.
            tasks[id] = Task {
                await body()
                let waiters: [CheckedContinuation<Void, Never>] = self.lock.withLock {
                    self.tasks.removeValue(forKey: id)
                    return self.takeIdleWaiters()
                }
                waiters.forEach { $0.resume() }
            }
        }
    }

    /// Returns once everything started so far (and started meanwhile) finished.
    func waitAll() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let isIdle: Bool = lock.withLock {
                guard awaiting > 0 || !tasks.isEmpty else { return true }
                idle.append(continuation)
                return false
            }
            if isIdle { continuation.resume() }
        }
    }

    /// Cancels the publishing retries; inputs still awaiting acknowledgements are given up.
    func cancelAll() {
        let waiters: [CheckedContinuation<Void, Never>] = lock.withLock {
            tasks.values.forEach { $0.cancel() }
            awaiting = 0
            return tasks.isEmpty ? takeIdleWaiters() : []
        }
        waiters.forEach { $0.resume() }
    }

    /// Under the lock: the waiters to resume when nothing is pending any more.
    private func takeIdleWaiters() -> [CheckedContinuation<Void, Never>] {
        guard awaiting <= 0, tasks.isEmpty, !idle.isEmpty else { return [] }
        defer { idle = [] }
        return idle
    }
}
