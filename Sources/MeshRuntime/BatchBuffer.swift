import Foundation
import MeshKafka

/// Hands records from the fetching task to a batch role's handling loop (``BatchPipeline``).
///
/// The reader `push`es every record it took from the consumer (waiting while `capacity`
/// records are pending, so memory stays bounded); the handling loop asks for `nextBatch`, which
/// returns as soon as `max` records are pending or `wait` has passed since the first one
/// arrived. Once `finish()` was called the remaining records are still handed out; then
/// `nextBatch` returns nil. Nothing pushed is ever dropped: every record the consumer handed
/// out is handled or the process dies (and Kafka redelivers it).
final class BatchBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private let capacity: Int
    private var pending: [ConsumedMessage] = []
    private var finished = false
    /// The writer, waiting until `count` records are pending (or time runs out).
    private var writer: (token: UInt64, count: Int, continuation: CheckedContinuation<Void, Never>)?
    /// The reader, waiting for space.
    private var reader: CheckedContinuation<Void, Never>?
    private var nextToken: UInt64 = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Adds a record; waits while the buffer is full.
    func push(_ message: ConsumedMessage) async {
        while true {
            let mustWait: Bool = lock.withLock { pending.count >= capacity && !finished }
            if !mustWait { break }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                lock.lock()
                if pending.count >= capacity && !finished {
                    reader = continuation
                    lock.unlock()
                } else {
                    lock.unlock()
                    continuation.resume()
                }
            }
        }
        append(message)
    }

    private func append(_ message: ConsumedMessage) {
        lock.lock()
        pending.append(message)
        let wake = takeWriterIfSatisfied()
        lock.unlock()
        wake?.resume()
    }

    /// No more records will come.
    func finish() {
        lock.lock()
        finished = true
        let wake = writer?.continuation
        writer = nil
        let wakeReader = reader
        reader = nil
        lock.unlock()
        wake?.resume()
        wakeReader?.resume()
    }

    /// Up to `max` records: waits up to `idle` for the first one (returning `[]` if none came,
    /// so the caller can do periodic work), then up to `wait` for the batch to fill. Nil once
    /// finished and drained.
    func nextBatch(max: Int, wait: Duration, idle: Duration) async -> [ConsumedMessage]? {
        await waitUntil(count: 1, timeout: idle)
        let isEmpty: Bool = lock.withLock { pending.isEmpty }
        if isEmpty {
            return lock.withLock { finished } ? nil : []
        }
        await waitUntil(count: max, timeout: wait)
        return take(max)
    }

    private func take(_ max: Int) -> [ConsumedMessage] {
        lock.lock()
        let taken = Array(pending.prefix(max))
        pending.removeFirst(taken.count)
        let wakeReader = reader
        reader = nil
        lock.unlock()
        wakeReader?.resume()
        return taken
    }

    /// Records waiting for the writer.
    var pendingCount: Int { lock.withLock { pending.count } }

    private func waitUntil(count: Int, timeout: Duration) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if pending.count >= count || finished {
                lock.unlock()
                continuation.resume()
                return
            }
            nextToken &+= 1
            let token = nextToken
            writer = (token, count, continuation)
            lock.unlock()
            Task {
                try? await Task.sleep(for: timeout)
                self.timeOut(token)
            }
        }
    }

    private func timeOut(_ token: UInt64) {
        lock.lock()
        guard let waiting = writer, waiting.token == token else {
            lock.unlock()
            return
        }
        writer = nil
        lock.unlock()
        waiting.continuation.resume()
    }

    /// Called with `lock` held.
    private func takeWriterIfSatisfied() -> CheckedContinuation<Void, Never>? {
        guard let waiting = writer, pending.count >= waiting.count else { return nil }
        writer = nil
        return waiting.continuation
    }
}
