import Dispatch
import Foundation

/// Waits for SIGINT or SIGTERM, the way operators and container runtimes stop a process.
public enum SignalWaiter {
    /// Suspends until one of `signals` arrives; returns its number.
    public static func wait(for signals: [Int32] = [SIGINT, SIGTERM]) async -> Int32 {
        await withCheckedContinuation { continuation in
            let once = Once()
            var sources: [DispatchSourceSignal] = []
            for number in signals {
                signal(number, SIG_IGN)  // let the dispatch source see it instead of the default action
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler {
                    if once.claim() {
                        sources.forEach { $0.cancel() }
                        continuation.resume(returning: number)
                    }
                }
                source.resume()
                sources.append(source)
            }
        }
    }
}

final class Once: @unchecked Sendable {
    private let lock = NSLock()
    private var claimed = false

    func claim() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if claimed { return false }
        claimed = true
        return true
    }
}
