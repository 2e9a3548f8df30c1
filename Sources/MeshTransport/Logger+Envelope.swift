import Logging
import MeshSigning
import MeshWire

extension Logger {
    /// A logger whose every line carries the envelope's correlation id, id and type, and the
    /// trace id of its `traceparent` (so a log line leads to the objective's trace).
    public func with(_ envelope: Envelope) -> Logger {
        var logger = self
        logger[metadataKey: "correlation_id"] = "\(envelope.correlationID)"
        logger[metadataKey: "envelope_id"] = "\(envelope.id)"
        logger[metadataKey: "envelope_type"] = "\(envelope.type)"
        if let trace = TraceContext(traceparent: envelope.traceparent) { logger[metadataKey: "trace_id"] = "\(trace.traceID)" }
        return logger
    }
}
