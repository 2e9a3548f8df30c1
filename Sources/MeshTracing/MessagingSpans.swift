import Instrumentation
import MeshSigning
import MeshWire
import Tracing

/// The spans of one hop, after the OpenTelemetry messaging semantic conventions, with ids
/// every process derives alike (Proto/CONTRACT.md §8):
///
/// - `process <topic>` (consumer): a role handling one input. Id
///   `TraceContext.processSpanID(role:envelope:)`, parent the input's own span (the one its
///   `traceparent` names, i.e. the producer span of the process that sent it).
/// - `send <topic>` (producer): one output, from enqueue to the broker's acknowledgement.
///   Id `TraceContext.spanID(of:)` of the output (what its `traceparent` names), parent the
///   process span of its input, or none for a root envelope (`meshctl submit`).
///
/// So the spans of one objective link up across processes without any process exporting
/// what another chose.
public struct MessagingSpans: Sendable {
    public let tracer: MeshTracer
    public let role: String
    public let instance: String
    public let consumerGroup: String

    /// `consumerGroup`: the group the role reads its inputs in (none for a producer only).
    public init(tracer: MeshTracer, role: String, instance: String, consumerGroup: String = "") {
        self.tracer = tracer
        self.role = role
        self.instance = instance
        self.consumerGroup = consumerGroup
    }

    /// Starts the span of this role handling `input`, read from `topic[partition]@offset`.
    public func startProcess(_ input: Envelope, topic: String, partition: Int32, offset: Int64) -> MeshSpan {
        // An input without a valid context still belongs to its objective's trace: the same
        // fallback its outputs' `traceparent` takes (`TraceContext.of`).
        let carried = TraceContext(traceparent: input.traceparent)
            ?? TraceContext.root(envelope: input.id, correlationID: input.correlationID)
        var context = InstrumentationContext.topLevel
        context.meshSpanContext = MeshSpanContext(traceID: carried.traceID, spanID: carried.spanID, sampled: carried.isSampled)
        context.meshAssignedSpanID = TraceContext.processSpanID(role: role, envelope: input.id)
        let span = tracer.startSpan("process \(topic)", context: context, ofKind: .consumer)
        guard span.isRecording else { return span }
        var attributes = common(input, topic: topic, operation: "process")
        attributes.set("messaging.kafka.destination.partition", value: .int64(Int64(partition)))
        attributes.set("messaging.kafka.offset", value: .int64(offset))
        attributes.set("messaging.consumer.group.name", value: .string(consumerGroup))
        span.attributes = attributes
        return span
    }

    /// Starts the span of sending `output` to `topic`, a child of `process` (the span of
    /// handling the input that caused it). End it with ``acknowledged(_:partition:offset:)``.
    public func startSend(_ output: Envelope, topic: String, causedBy process: MeshSpan) -> MeshSpan {
        var context = process.context
        context.meshAssignedSpanID = TraceContext.spanID(of: output.id)
        let span = tracer.startSpan("send \(topic)", context: context, ofKind: .producer)
        if span.isRecording { span.attributes = common(output, topic: topic, operation: "send") }
        return span
    }

    /// Starts the span of sending root envelope `output` (an objective, a cancel request),
    /// which starts its trace: ids from the `traceparent` it carries.
    public func startRootSend(_ output: Envelope, topic: String) -> MeshSpan {
        let carried = TraceContext(traceparent: output.traceparent)
            ?? TraceContext.root(envelope: output.id, correlationID: output.correlationID)
        var context = InstrumentationContext.topLevel
        context.meshAssignedSpanID = carried.spanID
        context.meshRootTraceID = carried.traceID
        let span = tracer.startSpan("send \(topic)", context: context, ofKind: .producer)
        if span.isRecording { span.attributes = common(output, topic: topic, operation: "send") }
        return span
    }

    /// Ends a send span with where the broker stored the record.
    public static func acknowledged(_ span: MeshSpan, partition: Int32, offset: Int64) {
        if span.isRecording {
            span.updateAttributes { attributes in
                attributes.set("messaging.kafka.destination.partition", value: .int64(Int64(partition)))
                attributes.set("messaging.kafka.offset", value: .int64(offset))
            }
        }
        span.end()
    }

    /// Ends `span` as failed (the input dead-lettered, the output refused).
    public static func failed(_ span: MeshSpan, _ reason: String) {
        span.setStatus(SpanStatus(code: .error, message: reason))
        span.end()
    }

    private func common(_ envelope: Envelope, topic: String, operation: String) -> SpanAttributes {
        var attributes = SpanAttributes()
        attributes.set("messaging.system", value: .string("kafka"))
        attributes.set("messaging.destination.name", value: .string(topic))
        attributes.set("messaging.operation.type", value: .string(operation))
        attributes.set("messaging.operation.name", value: .string(operation))
        attributes.set("messaging.message.id", value: .string(envelope.id))
        attributes.set("agentmesh.correlation_id", value: .string(envelope.correlationID))
        attributes.set("agentmesh.envelope.type", value: .string(envelope.payload.kind.rawValue))
        attributes.set("agentmesh.role", value: .string(role))
        attributes.set("agentmesh.instance", value: .string(instance))
        return attributes
    }
}
