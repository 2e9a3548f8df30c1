import Foundation

/// Bounds how far a producer may run ahead of its consumer. Benchmarks use it so that both
/// compared paths work under the same backpressure, and so the embedded broker (which keeps
/// only about 5 MB per partition) never drops records before they are read.
public final class InFlightWindow: @unchecked Sendable {
    private let condition = NSCondition()
    private var produced = 0
    private var consumed = 0
    public let size: Int

    public init(size: Int) {
        precondition(size > 0)
        self.size = size
    }

    /// Blocks the producing thread while `size` records are produced but not yet consumed.
    public func willProduce() {
        condition.lock()
        while produced - consumed >= size { condition.wait() }
        produced += 1
        condition.unlock()
    }

    public func didConsume(_ count: Int = 1) {
        condition.lock()
        consumed += count
        condition.signal()
        condition.unlock()
    }
}
