import Logging
import MeshTransport

/// Log lines about one input message, each carrying the envelope's correlation id, id, type
/// and trace id and the record's topic, partition and offset as fields of their own.
///
/// The metadata is built only for a line that is actually written: building it for every
/// message (as a prepared `Logger`) cost allocations and string formatting on every role's
/// hot path, where the per-message lines are debug lines and debug is normally off.
struct MessageLog: Sendable {
    let base: Logger
    let inbound: InboundEnvelope

    func debug(_ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata? = nil) {
        log(.debug, message(), metadata())
    }

    func info(_ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata? = nil) {
        log(.info, message(), metadata())
    }

    func warning(_ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata? = nil) {
        log(.warning, message(), metadata())
    }

    func error(_ message: @autoclosure () -> Logger.Message, metadata: @autoclosure () -> Logger.Metadata? = nil) {
        log(.error, message(), metadata())
    }

    private func log(_ level: Logger.Level, _ message: @autoclosure () -> Logger.Message,
                     _ metadata: @autoclosure () -> Logger.Metadata?) {
        guard base.logLevel <= level else { return }
        var logger = base.with(inbound.envelope)
        logger[metadataKey: "topic"] = "\(inbound.message.topic)"
        logger[metadataKey: "partition"] = "\(inbound.message.partition)"
        logger[metadataKey: "offset"] = "\(inbound.message.offset)"
        logger.log(level: level, message(), metadata: metadata())
    }
}
