import Foundation
import Tracing

/// The OTLP/HTTP JSON encoding of a trace export request (`ExportTraceServiceRequest`), as
/// the OTLP specification maps protobuf to JSON: lowerCamelCase field names, trace and span
/// ids as hex strings (not base64), enums as integers, 64-bit integers as decimal strings.
/// Decodable too, so a test or benchmark receiver reads what the exporter wrote.
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

    /// The request's bytes (keys sorted, so equal requests encode equally).
    public static func encode(_ request: ExportRequest) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(request)
    }

    public static func decode(_ data: Data) throws -> ExportRequest {
        try JSONDecoder().decode(ExportRequest.self, from: data)
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
