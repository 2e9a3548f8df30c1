import Logging
import MeshWire

extension Logger {
    /// A logger whose every line carries the envelope's correlation id, id and type, and the
    /// trace id of its `traceparent` (so a log line leads to the objective's trace).
    public func with(_ envelope: Envelope) -> Logger {
        var logger = self
        logger[metadataKey: "correlation_id"] = "\(envelope.correlationID)"
        logger[metadataKey: "envelope_id"] = "\(envelope.id)"
        logger[metadataKey: "envelope_type"] = "\(envelope.type)"
        if let traceID = Self.traceID(of: envelope.traceparent) { logger[metadataKey: "trace_id"] = "\(traceID)" }
        return logger
    }

    /// The trace-id field of a version-00-shaped `traceparent` (validation is `TraceContext`'s;
    /// a log line only needs the field).
    static func traceID(of traceparent: String) -> Substring? {
        let parts = traceparent.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[1].utf8.count == 32 else { return nil }
        return parts[1]
    }
}
