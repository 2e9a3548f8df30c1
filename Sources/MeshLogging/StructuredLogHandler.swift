import Foundation
import Logging

/// A swift-log handler writing one structured line per record to standard error.
///
/// Every line carries the process's role (set once at start-up), so lines from many role
/// processes interleaved by `meshctl up` or a log shipper stay attributable. Message-level
/// fields (`correlation_id`, `envelope_id`, …) come from the logger's metadata.
public struct StructuredLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let format: LogFormat
    private let sink: LogSink

    public init(label: String, format: LogFormat, level: Logger.Level, sink: LogSink = .standardError) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        if let error = event.error { merged["error"] = "\(error)" }
        let line = LogLineFormatter.format(
            format, timestamp: RFC3339.now(fractionDigits: 3), level: event.level.rawValue, label: label,
            message: event.message.description, metadata: merged.mapValues { "\($0)" })
        sink.write(line)
    }
}

/// Where log lines go; a lock keeps concurrent lines whole.
public final class LogSink: @unchecked Sendable {
    private let lock = NSLock()
    private let write: (String) -> Void

    public init(_ write: @escaping (String) -> Void) {
        self.write = write
    }

    public static let standardError = LogSink { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    func write(_ line: String) {
        lock.lock()
        write(line)
        lock.unlock()
    }
}

/// Process-wide logging set-up for role executables and meshctl.
public enum MeshLogging {
    /// Installs the structured handler. `AGENTMESH_LOG_FORMAT` (`json` | `logfmt`) and
    /// `AGENTMESH_LOG_LEVEL` (`trace` … `critical`) override the arguments, so operators can
    /// change them per container without new flags. Every line carries `role`.
    public static func bootstrap(role: String, format: LogFormat = .logfmt, level: Logger.Level = .info) {
        let environment = ProcessInfo.processInfo.environment
        let format = environment["AGENTMESH_LOG_FORMAT"].flatMap(LogFormat.init(rawValue:)) ?? format
        let level = environment["AGENTMESH_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? level
        LoggingSystem.bootstrap { label in
            var handler = StructuredLogHandler(label: label, format: format, level: level)
            handler.metadata["role"] = "\(role)"
            return handler
        }
    }
}
