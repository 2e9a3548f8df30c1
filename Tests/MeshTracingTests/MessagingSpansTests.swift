import Foundation
import MeshSigning
import MeshTracing
import MeshWire
import Tracing
import XCTest

/// The span model of one hop: ids derived from envelope ids, links across processes, the
/// messaging attributes.
final class MessagingSpansTests: XCTestCase {
    private final class Collected: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [FinishedSpan] = []
        var spans: [FinishedSpan] { lock.withLock { stored } }
        func append(_ span: FinishedSpan) { lock.withLock { stored.append(span) } }
    }

    private let collected = Collected()
    private func spans(_ sampler: TraceSampler = .parentBased(root: .alwaysOn)) -> MessagingSpans {
        let collected = self.collected
        return MessagingSpans(
            tracer: MeshTracer(sampler: sampler) { collected.append($0) }, role: "coding", instance: "coding-1",
            consumerGroup: "mesh-coding")
    }

    private func envelope(_ id: String, traceparent: String) -> Envelope {
        Envelope(id: id, source: "/mesh/orchestrator", correlationID: "obj-1", traceparent: traceparent,
                 payload: .agentHeartbeat(AgentHeartbeat(agentID: "x-1", role: "x")))
    }

    func testAProcessSpanIsTheChildOfTheInputsSpanWithTheDerivedID() throws {
        let root = TraceContext.root(envelope: "objective-1", correlationID: "obj-1")
        let input = envelope("task-1", traceparent: TraceContext.traceparent(ofOutput: "task-1", causedBy:
            envelope("objective-1", traceparent: root.traceparent)))
        let span = spans().startProcess(input, topic: "mesh.tasks.coding", partition: 3, offset: 42)
        span.end()
        let finished = try XCTUnwrap(collected.spans.first)
        XCTAssertEqual(collected.spans.count, 1)
        XCTAssertEqual(finished.traceID, root.traceID, "one trace per objective")
        XCTAssertEqual(finished.spanID, TraceContext.processSpanID(role: "coding", envelope: "task-1"))
        XCTAssertEqual(finished.parentSpanID, TraceContext.spanID(of: "task-1"), "the span the input's traceparent names")
        XCTAssertEqual(finished.name, "process mesh.tasks.coding")
        XCTAssertEqual(finished.kind, .consumer)
        XCTAssertNil(finished.status)
        let attributes = Dictionary(uniqueKeysWithValues: finished.attributes.map { ($0.key, $0.value) })
        XCTAssertEqual(attributes["messaging.system"], .string("kafka"))
        XCTAssertEqual(attributes["messaging.destination.name"], .string("mesh.tasks.coding"))
        XCTAssertEqual(attributes["messaging.operation.type"], .string("process"))
        XCTAssertEqual(attributes["messaging.kafka.destination.partition"], .int(3))
        XCTAssertEqual(attributes["messaging.kafka.offset"], .int(42))
        XCTAssertEqual(attributes["messaging.message.id"], .string("task-1"))
        XCTAssertEqual(attributes["messaging.consumer.group.name"], .string("mesh-coding"))
        XCTAssertEqual(attributes["agentmesh.correlation_id"], .string("obj-1"))
        XCTAssertEqual(attributes["agentmesh.envelope.type"], .string(input.type))
        XCTAssertEqual(attributes["agentmesh.role"], .string("coding"))
        XCTAssertEqual(attributes["agentmesh.instance"], .string("coding-1"))
    }

    func testASendSpanIsTheChildOfTheProcessSpanAndNamesWhatTheOutputCarries() throws {
        let input = envelope("task-1", traceparent: TraceContext.root(envelope: "task-1", correlationID: "obj-1").traceparent)
        let spans = spans()
        let process = spans.startProcess(input, topic: "mesh.tasks.coding", partition: 0, offset: 1)
        let outputID = "result-1"
        let output = envelope(outputID, traceparent: TraceContext.traceparent(ofOutput: outputID, causedBy: input))
        let send = spans.startSend(output, topic: "mesh.results", causedBy: process)
        process.end()
        MessagingSpans.acknowledged(send, partition: 5, offset: 77)
        let finished = try XCTUnwrap(collected.spans.last)
        let carried = try XCTUnwrap(TraceContext(traceparent: output.traceparent))
        XCTAssertEqual(finished.spanID, carried.spanID, "the exported span is the one the output's traceparent names")
        XCTAssertEqual(finished.traceID, carried.traceID)
        XCTAssertEqual(finished.parentSpanID, TraceContext.processSpanID(role: "coding", envelope: "task-1"))
        XCTAssertEqual(finished.kind, .producer)
        XCTAssertEqual(finished.name, "send mesh.results")
        let attributes = Dictionary(uniqueKeysWithValues: finished.attributes.map { ($0.key, $0.value) })
        XCTAssertEqual(attributes["messaging.operation.type"], .string("send"))
        XCTAssertEqual(attributes["messaging.kafka.destination.partition"], .int(5))
        XCTAssertEqual(attributes["messaging.kafka.offset"], .int(77))
        XCTAssertEqual(attributes["messaging.message.id"], .string(outputID))
    }

    func testARootSendSpanStartsTheObjectivesTrace() throws {
        let root = TraceContext.root(envelope: "objective-1", correlationID: "obj-1")
        let span = spans().startRootSend(envelope("objective-1", traceparent: root.traceparent), topic: "mesh.objectives")
        span.end()
        let finished = try XCTUnwrap(collected.spans.first)
        XCTAssertEqual(finished.traceID, root.traceID)
        XCTAssertEqual(finished.spanID, root.spanID)
        XCTAssertNil(finished.parentSpanID)
    }

    func testFailuresSetErrorStatusAndASpanIsExportedOnce() throws {
        let input = envelope("task-1", traceparent: TraceContext.root(envelope: "task-1", correlationID: "obj-1").traceparent)
        let span = spans().startProcess(input, topic: "mesh.tasks.coding", partition: 0, offset: 1)
        MessagingSpans.failed(span, "dead-lettered: handler-failed")
        span.setStatus(SpanStatus(code: .ok))
        span.end()
        XCTAssertEqual(collected.spans.count, 1)
        XCTAssertEqual(collected.spans.first?.status, SpanStatus(code: .error, message: "dead-lettered: handler-failed"))
    }

    func testUnsampledTracesAreNeverExported() {
        var unsampled = TraceContext.root(envelope: "task-1", correlationID: "obj-1").traceparent
        unsampled.removeLast(2)
        unsampled += "00"
        let spans = spans()
        let process = spans.startProcess(envelope("task-1", traceparent: unsampled), topic: "t", partition: 0, offset: 0)
        XCTAssertFalse(process.isRecording)
        spans.startSend(envelope("out", traceparent: ""), topic: "u", causedBy: process).end()
        process.end()
        self.spans(.alwaysOff).startProcess(envelope("task-2", traceparent: ""), topic: "t", partition: 0, offset: 0).end()
        XCTAssertTrue(collected.spans.isEmpty)
    }

    func testASpanAHandlerStartsInsideTheHopIsItsChild() throws {
        let spans = spans()
        let input = envelope("task-1", traceparent: TraceContext.root(envelope: "task-1", correlationID: "obj-1").traceparent)
        let process = spans.startProcess(input, topic: "mesh.tasks.coding", partition: 0, offset: 1)
        let child = spans.tracer.startSpan("call model", context: process.context)
        child.end()
        let finished = try XCTUnwrap(collected.spans.first)
        XCTAssertEqual(finished.parentSpanID, TraceContext.processSpanID(role: "coding", envelope: "task-1"))
        XCTAssertNotEqual(finished.spanID, TraceContext.processSpanID(role: "coding", envelope: "task-1"))
        XCTAssertEqual(finished.spanID.count, 16)
        XCTAssertEqual(finished.kind, .internal)
    }

    func testTheTracerPropagatesW3CTraceparent() {
        let tracer = spans().tracer
        var context = InstrumentationContext.topLevel
        let header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        tracer.extract(["traceparent": header], into: &context, using: DictionaryExtractor())
        XCTAssertEqual(context.meshSpanContext,
                       MeshSpanContext(traceID: "4bf92f3577b34da6a3ce929d0e0e4736", spanID: "00f067aa0ba902b7", sampled: true))
        var carrier: [String: String] = [:]
        tracer.inject(context, into: &carrier, using: DictionaryInjector())
        XCTAssertEqual(carrier["traceparent"], header)
    }
}

private struct DictionaryExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
}

private struct DictionaryInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
}
