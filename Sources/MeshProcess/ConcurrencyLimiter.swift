/// An async semaphore: at most `limit` holders at once, waiters served first come, first
/// served. A worker wraps each handler run in `withPermit` to run at most K at a time.
///
/// Waiting is cancellable: a cancelled waiter leaves the queue with `CancellationError`, and a
/// waiter with a deadline leaves it with `PermitDeadlineReached` when the deadline passes first.
public actor ConcurrencyLimiter {
    /// Maximum number of concurrent permit holders.
    public nonisolated let limit: Int
    /// Permits currently held.
    public private(set) var inUse = 0
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, Error>)] = []
    private var nextWaiterID: UInt64 = 0

    /// - Parameter limit: At least 1 (smaller values are raised to 1).
    public init(limit: Int) { self.limit = max(1, limit) }

    /// Tasks queued for a permit.
    public var waiting: Int { waiters.count }

    /// Waits for a permit, at most until `deadline` when one is given. Pair every successful
    /// call with `release()`.
    public func acquire(before deadline: ContinuousClock.Instant? = nil) async throws {
        try Task.checkCancellation()
        if inUse < limit && waiters.isEmpty {
            inUse += 1
            return
        }
        if let deadline, deadline <= .now { throw PermitDeadlineReached(limit: limit) }
        let id = nextWaiterID
        nextWaiterID += 1
        let expiry = deadline.map { deadline in
            Task {
                try await Task.sleep(until: deadline, clock: .continuous)
                self.expireWaiter(id)
            }
        }
        defer { expiry?.cancel() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiters.append((id, continuation))
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    /// Returns a permit, handing it straight to the longest waiter if there is one.
    public func release() {
        if waiters.isEmpty {
            inUse = max(0, inUse - 1)
        } else {
            waiters.removeFirst().continuation.resume()
        }
    }

    /// Runs `body` while holding a permit, waiting for one at most until `deadline` if given.
    public nonisolated func withPermit<T: Sendable>(before deadline: ContinuousClock.Instant? = nil,
                                                    _ body: @Sendable () async throws -> T) async throws -> T {
        try await acquire(before: deadline)
        do {
            let value = try await body()
            await release()
            return value
        } catch {
            await release()
            throw error
        }
    }

    private func cancelWaiter(_ id: UInt64) { remove(id, throwing: CancellationError()) }

    private func expireWaiter(_ id: UInt64) { remove(id, throwing: PermitDeadlineReached(limit: limit)) }

    /// A waiter already handed a permit is no longer queued, so this does nothing for it.
    private func remove(_ id: UInt64, throwing error: any Error) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: error)
    }
}

/// No permit became free before the waiter's deadline.
public struct PermitDeadlineReached: Error, Sendable, Hashable, CustomStringConvertible {
    /// The limiter's permit count, for the message.
    public var limit: Int
    public var description: String { "deadline reached while all \(limit) permits were held" }
}
