import MeshWire

/// W3C Trace Context (`traceparent`, version 00) as the mesh carries it from hop to hop.
///
/// Every envelope names its own span: the trace id comes from the envelope that caused it
/// and the span id is derived from the envelope's own (deterministic) id. So a redelivered
/// or replayed input yields outputs with byte-identical `traceparent`s, and any receiver can
/// recompute the value it should carry (the rule is in Proto/CONTRACT.md). The trace id of an
/// objective is derived from its id, unless its root envelope arrived inside a trace of the
/// caller's own: so one objective is one trace, whichever envelope of it starts the chain.
public struct TraceContext: Sendable, Hashable, CustomStringConvertible {
    /// 32 lower-case hex characters, not all zero.
    public let traceID: String
    /// 16 lower-case hex characters, not all zero: the span this envelope stands for.
    public let spanID: String
    /// Trace flags; bit 0 is "sampled".
    public let flags: UInt8

    public var isSampled: Bool { flags & 1 == 1 }
    public var traceparent: String { "00-\(traceID)-\(spanID)-\(Hex.encode([flags]))" }
    public var description: String { traceparent }

    /// Parses a `traceparent` header value. `nil` for anything the W3C rules say to ignore
    /// (wrong length or case, version `ff`, all-zero ids); a later version's extra fields
    /// after the flags are accepted, as the rules ask.
    public init?(traceparent: String) {
        let bytes = Array(traceparent.utf8)
        guard bytes.count >= 55, bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"),
              bytes[52] == UInt8(ascii: "-") else { return nil }
        let version = bytes[0..<2], trace = bytes[3..<35], span = bytes[36..<52], flags = bytes[53..<55]
        guard [version, trace, span, flags].allSatisfy({ $0.allSatisfy(Self.isLowerHex) }),
              String(decoding: version, as: UTF8.self) != "ff",
              !trace.allSatisfy({ $0 == UInt8(ascii: "0") }), !span.allSatisfy({ $0 == UInt8(ascii: "0") })
        else { return nil }
        // Version 00 is exactly 55 characters; a later version may append "-…".
        if version.elementsEqual("00".utf8) ? bytes.count != 55 : (bytes.count > 55 && bytes[55] != UInt8(ascii: "-")) {
            return nil
        }
        guard let flagByte = UInt8(String(decoding: flags, as: UTF8.self), radix: 16) else { return nil }
        self.init(traceID: String(decoding: trace, as: UTF8.self), spanID: String(decoding: span, as: UTF8.self), flags: flagByte)
    }

    private init(traceID: String, spanID: String, flags: UInt8) {
        self.traceID = traceID
        self.spanID = spanID
        self.flags = flags
    }

    /// The trace context of a root envelope `id` (an objective, a cancel request) that
    /// arrives with none: the objective's trace, sampled.
    public static func root(envelope id: String, correlationID: String) -> TraceContext {
        of(envelope: id, parentTraceparent: "", correlationID: correlationID)
    }

    /// The trace context of the envelope `id` caused by an envelope with `parentTraceparent`
    /// in objective `correlationID`: the parent's trace id and flags, or a trace id derived
    /// from the objective (sampled) when the parent carries no valid context.
    public static func of(envelope id: String, parentTraceparent: String, correlationID: String) -> TraceContext {
        let parent = TraceContext(traceparent: parentTraceparent)
        let traceID = parent?.traceID ?? nonZeroHex(Self.digest("trace", correlationID).prefix(16))
        return TraceContext(traceID: traceID, spanID: spanID(of: id), flags: parent?.flags ?? 1)
    }

    /// The `traceparent` an output `id` of `cause` carries.
    public static func traceparent(ofOutput id: String, causedBy cause: Envelope) -> String {
        of(envelope: id, parentTraceparent: cause.traceparent, correlationID: cause.correlationID).traceparent
    }

    /// The span id that stands for envelope `id` (what its `traceparent` names).
    public static func spanID(of id: String) -> String { nonZeroHex(digest("span", id).prefix(8)) }

    /// The span of `role` processing the envelope `id`: the parent of the spans of its
    /// outputs. Derived, so every process can name it without carrying it on the wire.
    public static func processSpanID(role: String, envelope id: String) -> String {
        nonZeroHex(digest("process", role + "\0" + id).prefix(8))
    }

    private static func digest(_ purpose: String, _ value: String) -> [UInt8] {
        SHA256Digest.hash(Array("agentmesh-trace-v1\0\(purpose)\0\(value)".utf8))
    }

    private static func nonZeroHex<Bytes: Collection>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var bytes = Array(bytes)
        if bytes.allSatisfy({ $0 == 0 }) { bytes[bytes.count - 1] = 1 }
        return Hex.encode(bytes)
    }

    private static func isLowerHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }
}
