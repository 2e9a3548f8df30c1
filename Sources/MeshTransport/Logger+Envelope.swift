import Logging
import MeshWire

extension Logger {
    /// A logger whose every line carries the envelope's correlation id, id and type.
    public func with(_ envelope: Envelope) -> Logger {
        var logger = self
        logger[metadataKey: "correlation_id"] = "\(envelope.correlationID)"
        logger[metadataKey: "envelope_id"] = "\(envelope.id)"
        logger[metadataKey: "envelope_type"] = "\(envelope.type)"
        return logger
    }
}
