import Foundation
import Tracing

/// The OTLP/HTTP JSON encoding of a trace export request (`ExportTraceServiceRequest`), as
/// the OTLP specification maps protobuf to JSON: lowerCamelCase field names, trace and span
/// ids as hex strings (not base64), enums as integers, 64-bit integers as decimal strings.
/// The exporter writes the bytes directly (``encode(resource:spans:)``: Foundation's
/// `JSONEncoder` cost more CPU per span than the hop it describes); the `Codable` model is
/// what a receiver (a test, the benchmark) decodes them into.
public enum OTLPJSON {
    public struct ExportRequest: Codable, Sendable, Equatable {
        public var resourceSpans: [ResourceSpans]
    }

    public struct ResourceSpans: Codable, Sendable, Equatable {
        public var resource: Resource
        public var scopeSpans: [ScopeSpans]
    }

    public struct Resource: Codable, Sendable, Equatable {
        public var attributes: [KeyValue]
    }

    public struct ScopeSpans: Codable, Sendable, Equatable {
        public var scope: Scope
        public var spans: [Span]
    }

    public struct Scope: Codable, Sendable, Equatable {
        public var name: String
        public var version: String?
    }

    public struct Span: Codable, Sendable, Equatable {
        public var traceId: String
        public var spanId: String
        public var parentSpanId: String?
        public var name: String
        /// 1 internal, 2 server, 3 client, 4 producer, 5 consumer.
        public var kind: Int
        public var startTimeUnixNano: String
        public var endTimeUnixNano: String
        public var attributes: [KeyValue]
        public var status: Status?

        /// The string value of attribute `key`, if it has one.
        public func string(_ key: String) -> String? {
            attributes.first { $0.key == key }?.value.stringValue
        }

        /// The integer value of attribute `key`, if it has one.
        public func int(_ key: String) -> Int64? {
            attributes.first { $0.key == key }?.value.intValue.flatMap { Int64($0) }
        }
    }

    public struct Status: Codable, Sendable, Equatable {
        /// 0 unset, 1 ok, 2 error.
        public var code: Int
        public var message: String?
    }

    public struct KeyValue: Codable, Sendable, Equatable {
        public var key: String
        public var value: AnyValue
    }

    /// One of the value fields is set.
    public struct AnyValue: Codable, Sendable, Equatable {
        public var stringValue: String?
        public var intValue: String?
        public var doubleValue: Double?
        public var boolValue: Bool?
    }

    public static let scopeName = "agentmesh"

    /// The request exporting `spans` of the process described by `resource`.
    public static func request(resource: [SpanAttributeValue], spans: some Collection<FinishedSpan>) -> ExportRequest {
        ExportRequest(resourceSpans: [
            ResourceSpans(
                resource: Resource(attributes: resource.map(keyValue)),
                scopeSpans: [ScopeSpans(scope: Scope(name: scopeName, version: nil), spans: spans.map(span))]),
        ])
    }

    /// The bytes of the request exporting `spans` of the process described by `resource`.
    public static func encode(resource: [SpanAttributeValue], spans: some Collection<FinishedSpan>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256 + spans.count * 900)
        out.append(contentsOf: #"{"resourceSpans":[{"resource":{"attributes":"#.utf8)
        write(resource, to: &out)
        out.append(contentsOf: #"},"scopeSpans":[{"scope":{"name":"#.utf8)
        write(string: scopeName, to: &out)
        out.append(contentsOf: #"},"spans":["#.utf8)
        for (index, span) in spans.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            write(span, to: &out)
        }
        out.append(contentsOf: "]}]}]}".utf8)
        return out
    }

    public static func decode(_ data: Data) throws -> ExportRequest {
        try JSONDecoder().decode(ExportRequest.self, from: data)
    }

    private static func write(_ span: FinishedSpan, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"traceId":"#.utf8)
        write(string: span.traceID, to: &out)
        out.append(contentsOf: #","spanId":"#.utf8)
        write(string: span.spanID, to: &out)
        if let parent = span.parentSpanID {
            out.append(contentsOf: #","parentSpanId":"#.utf8)
            write(string: parent, to: &out)
        }
        out.append(contentsOf: #","name":"#.utf8)
        write(string: span.name, to: &out)
        out.append(contentsOf: #","kind":\#(kindNumber(span.kind)),"startTimeUnixNano":"\#(span.startNanos)","#.utf8)
        out.append(contentsOf: #""endTimeUnixNano":"\#(span.endNanos)","attributes":"#.utf8)
        write(span.attributes, to: &out)
        if let status = span.status {
            out.append(contentsOf: #","status":{"code":\#(status.code == .ok ? 1 : 2)"#.utf8)
            if let message = status.message {
                out.append(contentsOf: #","message":"#.utf8)
                write(string: message, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        out.append(UInt8(ascii: "}"))
    }

    private static func write(_ attributes: [SpanAttributeValue], to out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (index, attribute) in attributes.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out.append(contentsOf: #"{"key":"#.utf8)
            write(string: attribute.key, to: &out)
            out.append(contentsOf: #","value":{"#.utf8)
            switch attribute.value {
            case .string(let text):
                out.append(contentsOf: #""stringValue":"#.utf8)
                write(string: text, to: &out)
            case .int(let number): out.append(contentsOf: #""intValue":"\#(number)""#.utf8)
            case .bool(let flag): out.append(contentsOf: #""boolValue":\#(flag)"#.utf8)
            case .double(let number):
                // proto3 JSON spells the non-finite values as strings.
                let text = number.isNaN ? #""NaN""# : number.isInfinite ? (number > 0 ? #""Infinity""# : #""-Infinity""#) : "\(number)"
                out.append(contentsOf: #""doubleValue":\#(text)"#.utf8)
            }
            out.append(contentsOf: "}}".utf8)
        }
        out.append(UInt8(ascii: "]"))
    }

    /// A JSON string: quotes, backslashes and control characters escaped.
    private static func write(string: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): out.append(contentsOf: #"\\"#.utf8)
            case 0x0A: out.append(contentsOf: #"\n"#.utf8)
            case 0x0D: out.append(contentsOf: #"\r"#.utf8)
            case 0x09: out.append(contentsOf: #"\t"#.utf8)
            case ..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: #"\u00"#.utf8)
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    static func span(_ span: FinishedSpan) -> Span {
        Span(
            traceId: span.traceID, spanId: span.spanID, parentSpanId: span.parentSpanID, name: span.name,
            kind: kindNumber(span.kind), startTimeUnixNano: String(span.startNanos), endTimeUnixNano: String(span.endNanos),
            attributes: span.attributes.map(keyValue),
            status: span.status.map { Status(code: $0.code == .ok ? 1 : 2, message: $0.message) })
    }

    static func kindNumber(_ kind: SpanKind) -> Int {
        switch kind {
        case .internal: return 1
        case .server: return 2
        case .client: return 3
        case .producer: return 4
        case .consumer: return 5
        }
    }

    static func keyValue(_ attribute: SpanAttributeValue) -> KeyValue {
        var value = AnyValue()
        switch attribute.value {
        case .string(let text): value.stringValue = text
        case .int(let number): value.intValue = String(number)
        case .double(let number): value.doubleValue = number
        case .bool(let flag): value.boolValue = flag
        }
        return KeyValue(key: attribute.key, value: value)
    }
}
