import Foundation
import Instrumentation
import MeshSigning
import Tracing

/// The span a context stands for: what a child span takes as its parent.
public struct MeshSpanContext: Sendable, Hashable {
    public var traceID: String
    public var spanID: String
    public var sampled: Bool

    public init(traceID: String, spanID: String, sampled: Bool) {
        self.traceID = traceID
        self.spanID = spanID
        self.sampled = sampled
    }
}

private enum MeshSpanContextKey: InstrumentationContextKey {
    typealias Value = MeshSpanContext
}

private enum AssignedSpanIDKey: InstrumentationContextKey {
    typealias Value = String
}

private enum RootTraceIDKey: InstrumentationContextKey {
    typealias Value = String
}

extension InstrumentationContext {
    /// The active span; a span started in this context is its child.
    public var meshSpanContext: MeshSpanContext? {
        get { self[MeshSpanContextKey.self] }
        set { self[MeshSpanContextKey.self] = newValue }
    }

    /// The id the next span started in this context takes instead of a random one: how the
    /// mesh gives a hop's span the id derived from an envelope id (``TraceContext``).
    public var meshAssignedSpanID: String? {
        get { self[AssignedSpanIDKey.self] }
        set { self[AssignedSpanIDKey.self] = newValue }
    }

    /// The trace id a root span (one without ``meshSpanContext``) takes instead of a random
    /// one: the objective's derived trace id.
    public var meshRootTraceID: String? {
        get { self[RootTraceIDKey.self] }
        set { self[RootTraceIDKey.self] = newValue }
    }
}

/// A swift-distributed-tracing `Tracer` whose spans take the ids the context assigns.
///
/// swift-otel's tracer draws every span id from a random generator it keeps internal, but a
/// mesh hop's span id must be the one derived from the envelope id (the `traceparent` the
/// outputs already carry, byte-identical on replay). So the span id comes from
/// ``InstrumentationContext/meshAssignedSpanID`` when set (random otherwise, for spans a
/// handler starts inside a hop) and the parent from ``InstrumentationContext/meshSpanContext``.
/// Spans the sampler declines are not recording and are never exported.
public final class MeshTracer: Tracer, Sendable {
    public typealias Span = MeshSpan

    public let sampler: TraceSampler
    private let export: @Sendable (FinishedSpan) -> Void

    /// `export` receives every recorded span once it ends (the exporter's queue).
    public init(sampler: TraceSampler, export: @escaping @Sendable (FinishedSpan) -> Void) {
        self.sampler = sampler
        self.export = export
    }

    public func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> InstrumentationContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> MeshSpan {
        var context = context()
        let parent = context.meshSpanContext
        let traceID = parent?.traceID ?? context.meshRootTraceID ?? Self.randomHex(bytes: 16)
        let spanID = context.meshAssignedSpanID ?? Self.randomHex(bytes: 8)
        let sampled = sampler.shouldSample(traceID: traceID, parentSampled: parent?.sampled)
        context.meshAssignedSpanID = nil
        context.meshRootTraceID = nil
        context.meshSpanContext = MeshSpanContext(traceID: traceID, spanID: spanID, sampled: sampled)
        return MeshSpan(
            operationName: operationName, kind: kind, context: context, parentSpanID: parent?.spanID,
            startNanos: instant().nanosecondsSinceEpoch, export: sampled ? export : nil)
    }

    /// Spans are handed to the exporter as they end; its own schedule sends them.
    public func forceFlush() {}

    public func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier, into context: inout InstrumentationContext, using extractor: Extract
    ) where Extract.Carrier == Carrier {
        guard let value = extractor.extract(key: "traceparent", from: carrier),
              let parsed = TraceContext(traceparent: value) else { return }
        context.meshSpanContext = MeshSpanContext(traceID: parsed.traceID, spanID: parsed.spanID, sampled: parsed.isSampled)
    }

    public func inject<Carrier, Inject: Injector>(
        _ context: InstrumentationContext, into carrier: inout Carrier, using injector: Inject
    ) where Inject.Carrier == Carrier {
        guard let span = context.meshSpanContext else { return }
        injector.inject("00-\(span.traceID)-\(span.spanID)-\(span.sampled ? "01" : "00")", forKey: "traceparent", into: &carrier)
    }

    static func randomHex(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        if bytes.allSatisfy({ $0 == 0 }) { bytes[count - 1] = 1 }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }
}

/// A span of ``MeshTracer``. Status and attributes are exported; events and links are
/// accepted (the protocol requires them) but not exported, as the mesh's spans use neither.
public final class MeshSpan: Tracing.Span, @unchecked Sendable {
    public let context: InstrumentationContext
    public let kind: SpanKind
    private let parentSpanID: String?
    private let startNanos: UInt64
    /// `nil` when the span is not sampled.
    private let export: (@Sendable (FinishedSpan) -> Void)?
    private let lock = NSLock()
    private var name: String
    private var storedAttributes = SpanAttributes()
    private var status: SpanStatus?
    private var ended = false

    init(
        operationName: String, kind: SpanKind, context: InstrumentationContext, parentSpanID: String?, startNanos: UInt64,
        export: (@Sendable (FinishedSpan) -> Void)?
    ) {
        self.name = operationName
        self.kind = kind
        self.context = context
        self.parentSpanID = parentSpanID
        self.startNanos = startNanos
        self.export = export
    }

    public var operationName: String {
        get { lock.withLock { name } }
        set { lock.withLock { name = newValue } }
    }

    public var attributes: SpanAttributes {
        get { lock.withLock { storedAttributes } }
        set { lock.withLock { storedAttributes = newValue } }
    }

    public var isRecording: Bool { export != nil && !lock.withLock { ended } }

    public func setStatus(_ status: SpanStatus) {
        lock.withLock {
            // An error is not overwritten by a later "ok", as the specification asks.
            if self.status?.code != .error || status.code == .error { self.status = status }
        }
    }

    public func addEvent(_ event: SpanEvent) {}

    public func recordError<Instant: TracerInstant>(
        _ error: Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant
    ) {
        setStatus(SpanStatus(code: .error, message: "\(error)"))
    }

    public func addLink(_ link: SpanLink) {}

    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        guard let export, let span = context.meshSpanContext else { return }
        let finished: FinishedSpan? = lock.withLock {
            guard !ended else { return nil }
            ended = true
            return FinishedSpan(
                traceID: span.traceID, spanID: span.spanID, parentSpanID: parentSpanID, name: name, kind: kind,
                startNanos: startNanos, endNanos: max(startNanos, instant().nanosecondsSinceEpoch),
                attributes: storedAttributes.exportable, status: status)
        }
        if let finished { export(finished) }
    }
}
