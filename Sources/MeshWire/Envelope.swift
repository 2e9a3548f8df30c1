/// One mesh event: CloudEvents 1.0 attributes, mesh correlation and one typed payload.
///
/// `type` is computed from `payload` instead of stored, so a value can never disagree with
/// itself; the decoder checks the wire `type` against the payload and rejects mismatches.
public struct Envelope: Sendable, Hashable, Codable {
    /// The only CloudEvents spec version this layer speaks.
    public static let currentSpecVersion = "1.0"
    /// The only payload schema version this build understands.
    public static let currentSchemaVersion: UInt32 = 1

    /// Unique event id (UUIDv7 by default, so ids sort by creation time in logs).
    public var id: String
    /// URI-reference of the emitting role instance, e.g. `/mesh/reviewer/r-1`.
    public var source: String
    public var specVersion: String
    /// Event time in microseconds since the Unix epoch (UTC).
    public var timeUnixMicros: Int64
    /// What the event is about (task id, approval id, ...).
    public var subject: String
    /// The objective this event belongs to; also the Kafka key on every topic, which keeps
    /// one objective's events ordered within a partition.
    public var correlationID: String
    /// Id of the envelope that caused this one; empty for roots.
    public var causationID: String
    /// W3C trace context of this hop.
    public var traceparent: String
    /// Extension attributes in a stable order (see `Attribute`).
    public var attributes: [Attribute]
    public var schemaVersion: UInt32
    public var payload: Payload

    /// CloudEvents `type`, e.g. `agentmesh.task.result.v1`.
    public var type: String { payload.kind.rawValue }

    public init(
        id: String = Envelope.makeID(),
        source: String,
        correlationID: String,
        causationID: String = "",
        subject: String = "",
        traceparent: String = "",
        timeUnixMicros: Int64 = WallClock.nowUnixMicros(),
        attributes: [Attribute] = [],
        specVersion: String = Envelope.currentSpecVersion,
        schemaVersion: UInt32 = Envelope.currentSchemaVersion,
        payload: Payload
    ) {
        self.id = id
        self.source = source
        self.specVersion = specVersion
        self.timeUnixMicros = timeUnixMicros
        self.subject = subject
        self.correlationID = correlationID
        self.causationID = causationID
        self.traceparent = traceparent
        self.attributes = attributes
        self.schemaVersion = schemaVersion
        self.payload = payload
    }

    /// A follow-up event: same objective, caused by `parent`, trace context carried over.
    /// Roles should use this so the causation chain in the audit trail never breaks.
    public init(causedBy parent: Envelope, source: String, subject: String = "",
                traceparent: String? = nil, attributes: [Attribute] = [], payload: Payload) {
        self.init(source: source, correlationID: parent.correlationID, causationID: parent.id,
                  subject: subject, traceparent: traceparent ?? parent.traceparent,
                  attributes: attributes, payload: payload)
    }

    /// A fresh UUIDv7 string (RFC 9562): millisecond timestamp prefix, random tail.
    public static func makeID() -> String {
        var rng = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 16)
        let millis = UInt64(max(0, WallClock.nowUnixMicros() / 1000))
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - i))) }
        let random = rng.next() as UInt64
        let random2 = rng.next() as UInt64
        for i in 6..<16 {
            let source = i < 14 ? random : random2
            bytes[i] = UInt8(truncatingIfNeeded: source >> (8 * UInt64(i % 8)))
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x70  // version 7
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC variant
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(36)
        for (i, byte) in bytes.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
