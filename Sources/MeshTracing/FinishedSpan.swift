import Tracing

/// A span that ended, as the exporter sends it: ids as lower-case hex (OTLP JSON's form),
/// times in nanoseconds since the Unix epoch.
public struct FinishedSpan: Sendable, Equatable {
    public var traceID: String
    public var spanID: String
    /// `nil` for the root of a trace.
    public var parentSpanID: String?
    public var name: String
    public var kind: SpanKind
    public var startNanos: UInt64
    public var endNanos: UInt64
    public var attributes: [SpanAttributeValue]
    public var status: SpanStatus?

    public init(
        traceID: String, spanID: String, parentSpanID: String?, name: String, kind: SpanKind, startNanos: UInt64,
        endNanos: UInt64, attributes: [SpanAttributeValue], status: SpanStatus?
    ) {
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.name = name
        self.kind = kind
        self.startNanos = startNanos
        self.endNanos = endNanos
        self.attributes = attributes
        self.status = status
    }
}

/// One attribute of a finished span, reduced to the value kinds OTLP carries.
public struct SpanAttributeValue: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case string(String)
        case int(Int64)
        case double(Double)
        case bool(Bool)
    }

    public var key: String
    public var value: Value

    public init(_ key: String, _ value: Value) {
        self.key = key
        self.value = value
    }
}

extension SpanAttributes {
    /// The attributes as OTLP value kinds, sorted by key so encodings are reproducible.
    var exportable: [SpanAttributeValue] {
        var result: [SpanAttributeValue] = []
        result.reserveCapacity(count)
        forEach { key, attribute in
            switch attribute {
            case .string(let value): result.append(.init(key, .string(value)))
            case .int32(let value): result.append(.init(key, .int(Int64(value))))
            case .int64(let value): result.append(.init(key, .int(value)))
            case .double(let value): result.append(.init(key, .double(value)))
            case .bool(let value): result.append(.init(key, .bool(value)))
            case .stringConvertible(let value): result.append(.init(key, .string("\(value)")))
            default:
                // Arrays are not used by the mesh's spans; a readable form beats dropping them.
                result.append(.init(key, .string("\(attribute)")))
            }
        }
        return result.sorted { $0.key < $1.key }
    }
}
