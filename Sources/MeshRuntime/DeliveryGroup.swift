import Foundation
import MeshKafka

/// The delivery reports of one batch of outputs: enqueue first, await later, so a partition
/// lane can hand its outputs to librdkafka and go on while the broker acknowledges them.
final class DeliveryGroup: @unchecked Sendable {
    private let lock = NSLock()
    private var outstanding: Int
    private var failure: Error?
    private var continuation: CheckedContinuation<Void, Error>?

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

    /// Returns once every output was acknowledged; throws the first failure.
    func wait() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            let result: Result<Void, Error>? = lock.withLock {
                guard outstanding <= 0 else {
                    self.continuation = continuation
                    return nil
                }
                return failure.map { .failure($0) } ?? .success(())
            }
            if let result { continuation.resume(with: result) }
        }
    }

    private func finish(count: Int, error: Error?) {
        let resume: (CheckedContinuation<Void, Error>, Error?)? = lock.withLock {
            outstanding -= count
            if let error, failure == nil { failure = error }
            guard outstanding <= 0, let continuation else { return nil }
            self.continuation = nil
            return (continuation, failure)
        }
        guard let (continuation, failure) = resume else { return }
        if let failure { continuation.resume(throwing: failure) } else { continuation.resume() }
    }
}

extension Result {
    fileprivate var failureValue: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

/// Unstructured work a worker must see finish (or cancel) before it closes: inputs whose
/// outputs await the broker's acknowledgement.
final class PendingWork: @unchecked Sendable {
    private let lock = NSLock()
    private var tasks: [UInt64: Task<Void, Never>] = [:]
    private var nextID: UInt64 = 0

    func start(_ body: @escaping @Sendable () async -> Void) {
        lock.withLock {
            let id = nextID
            nextID += 1
            // The task removes itself under the lock, so never before it was added.
            tasks[id] = Task {
                await body()
                _ = self.lock.withLock { self.tasks.removeValue(forKey: id) }
            }
        }
    }

    /// Returns once everything started so far (and started meanwhile) finished.
    func waitAll() async {
        while let task = lock.withLock({ tasks.values.first }) { await task.value }
    }

    func cancelAll() {
        lock.withLock { tasks.values.forEach { $0.cancel() } }
    }
}
