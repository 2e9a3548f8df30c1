/// Which traces are recorded (`OTEL_TRACES_SAMPLER`), decided from the trace id and the
/// parent's sampled flag only, so every process of the mesh decides the same way.
public enum TraceSampler: Sendable, Equatable {
    case alwaysOn
    case alwaysOff
    /// A fraction of traces, chosen by the trace id's lower 64 bits.
    case traceIDRatio(Double)
    /// The parent's sampled flag when there is a parent, else `root`.
    indirect case parentBased(root: TraceSampler)

    /// Whether a span of trace `traceID` (32 hex characters) is recorded. `parentSampled`:
    /// the parent context's sampled flag, `nil` for a root span.
    public func shouldSample(traceID: String, parentSampled: Bool?) -> Bool {
        switch self {
        case .alwaysOn: return true
        case .alwaysOff: return false
        case .traceIDRatio(let ratio):
            guard ratio < 1 else { return true }
            guard ratio > 0, let low = UInt64(traceID.suffix(16), radix: 16) else { return false }
            // The specification's rule: sampled when the id's low bits fall below ratio * 2^64.
            return Double(low) < ratio * 18_446_744_073_709_551_616.0
        case .parentBased(let root):
            guard let parentSampled else { return root.shouldSample(traceID: traceID, parentSampled: nil) }
            return parentSampled
        }
    }
}
