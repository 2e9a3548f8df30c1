import Foundation
import Logging
import MeshKafka
@testable import MeshRuntime
import MeshSigning
import MeshTransport
import MeshWire
import XCTest

/// Log lines about an input carry its coordinates and trace as fields, so a log pipeline can
/// filter on them and jump to the trace, without parsing message text.
final class MessageLogTests: XCTestCase {
    final class Captured: @unchecked Sendable {
        let lock = NSLock()
        var lines: [(message: String, metadata: Logger.Metadata)] = []
    }

    struct Capturing: LogHandler {
        let captured: Captured
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
                 file: String, function: String, line: UInt) {
            captured.lock.withLock { captured.lines.append((message.description, metadata.merging(explicit ?? [:]) { $1 })) }
        }
    }

    func testALineAboutAnInputCarriesTopicPartitionOffsetAndTraceAsFields() throws {
        let captured = Captured()
        let logger = Logger(label: "test") { _ in Capturing(captured: captured) }
        let keys = NSTemporaryDirectory() + "messagelog-keys-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: keys) }
        try KeyRingStore.initialize(at: keys, roles: ["coding"], people: [], algorithm: .hmacSHA256)
        let trace = TraceContext.root(envelope: "e-1", correlationID: "obj-1")
        let envelope = Envelope(id: "e-1", source: "/mesh/coding/c-1", correlationID: "obj-1", traceparent: trace.traceparent,
                                payload: .taskResult(TaskResult(taskID: "t", planID: "p", state: .completed, agentID: "c-1")))
        let sealed = try EnvelopeSealer(signer: try KeyRingStore.loadSigner(principal: "coding", from: keys)).seal(envelope)
        let opened = try EnvelopeOpener(trust: try KeyRingStore.loadTrustStore(from: keys)).open(sealed).get()
        let inbound = InboundEnvelope(opened: opened, message: ConsumedMessage(
            topic: "mesh.results", partition: 7, offset: 42, key: nil, value: sealed, headers: ConsumedHeaders([]), timestampMs: 0))

        MessageLog(base: logger, inbound: inbound).warning("attempt 1 failed", metadata: ["reason": "x"])
        let line = try XCTUnwrap(captured.lines.first)
        XCTAssertEqual(line.message, "attempt 1 failed", "coordinates stay out of the text")
        XCTAssertEqual(line.metadata["topic"], "mesh.results")
        XCTAssertEqual(line.metadata["partition"], "7")
        XCTAssertEqual(line.metadata["offset"], "42")
        XCTAssertEqual(line.metadata["trace_id"]?.description, trace.traceID)
        XCTAssertEqual(line.metadata["correlation_id"], "obj-1")
        XCTAssertEqual(line.metadata["reason"], "x")
    }
}
