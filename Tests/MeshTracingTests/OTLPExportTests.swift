import Foundation
import MeshTestSupport
import MeshTracing
import Tracing
import XCTest

/// The OTLP JSON encoding, and the exporter against a receiver on loopback (real HTTP).
final class OTLPExportTests: XCTestCase {
    private func span(_ number: Int, status: SpanStatus? = nil) -> FinishedSpan {
        FinishedSpan(
            traceID: "4bf92f3577b34da6a3ce929d0e0e4736", spanID: String(format: "%016x", number + 1),
            parentSpanID: number == 0 ? nil : "00f067aa0ba902b7", name: "send mesh.results", kind: .producer,
            startNanos: 1_700_000_000_000_000_000, endNanos: 1_700_000_000_500_000_000,
            attributes: [
                SpanAttributeValue("messaging.kafka.offset", .int(9_007_199_254_740_993)),
                SpanAttributeValue("messaging.system", .string("kafka")),
                SpanAttributeValue("ratio", .double(0.5)), SpanAttributeValue("retried", .bool(false)),
            ],
            status: status)
    }

    func testTheJSONEncodingFollowsTheOTLPSpecification() throws {
        let resource = [SpanAttributeValue("service.name", .string("coding"))]
        var escaped = span(2)
        escaped.name = "quote \" backslash \\ newline \n bell \u{7} é"
        let spans = [span(0), span(1, status: SpanStatus(code: .error, message: "refused")), escaped]
        let bytes = OTLPJSON.encode(resource: resource, spans: spans)
        let json = String(decoding: bytes, as: UTF8.self)
        // Hex ids (not base64), enum values as integers, 64-bit integers as decimal strings.
        XCTAssertTrue(json.contains(#""traceId":"4bf92f3577b34da6a3ce929d0e0e4736""#), json)
        XCTAssertTrue(json.contains(#""spanId":"0000000000000002""#), json)
        XCTAssertTrue(json.contains(#""parentSpanId":"00f067aa0ba902b7""#), json)
        XCTAssertTrue(json.contains(#""kind":4"#), json)
        XCTAssertTrue(json.contains(#""startTimeUnixNano":"1700000000000000000""#), json)
        XCTAssertTrue(json.contains(#""intValue":"9007199254740993""#), "beyond a double's precision: \(json)")
        XCTAssertTrue(json.contains(#""doubleValue":0.5"#), json)
        XCTAssertTrue(json.contains(#""boolValue":false"#), json)
        XCTAssertTrue(json.contains(#""status":{"code":2,"message":"refused"}"#), json)
        XCTAssertTrue(json.contains(#"{"key":"service.name","value":{"stringValue":"coding"}}"#), json)
        XCTAssertTrue(json.hasPrefix(#"{"resourceSpans":[{"resource":"#), json)
        XCTAssertFalse(json.contains(#""parentSpanId":null"#), "a root span has no parent field")
        XCTAssertTrue(json.contains(#""name":"quote \" backslash \\ newline \n bell \u0007 é""#), json)
        // What a receiver decodes is the request the spans stand for.
        XCTAssertEqual(try OTLPJSON.decode(Data(bytes)), OTLPJSON.request(resource: resource, spans: spans))
    }

    func testTheExporterSendsBatchesToTheEndpointAndFlushesOnShutdown() async throws {
        let receiver = try await OTLPReceiver()
        var configuration = TracingConfiguration(endpoint: receiver.endpoint + "/v1/traces", serviceName: "coding")
        configuration.maxExportBatchSize = 4
        configuration.headers = [(name: "X-Tenant", value: "mesh")]
        let exporter = OTLPHTTPSpanExporter(configuration: configuration)
        exporter.start()
        for number in 0..<10 { exporter.submit(span(number)) }
        // Two full batches go at once; the rest waits for the schedule or the shutdown.
        try await eventually("two full batches") { receiver.spans.count >= 8 }
        await exporter.shutdown()
        XCTAssertEqual(receiver.spans.count, 10)
        XCTAssertEqual(Set(receiver.spans.map(\.span.spanId)).count, 10)
        XCTAssertEqual(Set(receiver.spans.map(\.service)), ["coding"])
        XCTAssertEqual(exporter.counts, .init(exported: 10, dropped: 0, failed: 0))
        exporter.submit(span(11))
        XCTAssertEqual(exporter.counts.dropped, 1, "refused after shutdown")
        try await receiver.close()
    }

    func testAFullQueueDropsAndCountsInsteadOfWaiting() async throws {
        var configuration = TracingConfiguration(endpoint: "http://127.0.0.1:9/v1/traces", serviceName: "coding")
        configuration.maxQueueSize = 3
        configuration.exportTimeout = .seconds(2)
        let exporter = OTLPHTTPSpanExporter(configuration: configuration)
        for number in 0..<5 { exporter.submit(span(number)) }
        XCTAssertEqual(exporter.counts.dropped, 2)
        // Nothing listens on the discard port: the batch fails, is counted and not retried.
        await exporter.shutdown()
        XCTAssertEqual(exporter.counts, .init(exported: 0, dropped: 2, failed: 3))
    }
}
