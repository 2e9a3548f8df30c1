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

    /// A fresh UUIDv7 string (RFC 9562): 48-bit millisecond timestamp, 12 bits of
    /// sub-millisecond time in `rand_a` (RFC 9562 §6.2 method 3, so ids from one process sort
    /// by creation time), 62 random bits. Every emitted envelope needs one, so the random bits
    /// come from a pooled block of system randomness (not a system call per id) and no
    /// intermediate arrays are made.
    public static func makeID() -> String {
        let micros = UInt64(max(0, WallClock.nowUnixMicros()))
        let millis = micros / 1000
        let subMillisecond = (micros % 1000) * 4096 / 1000
        let high = (millis << 16) | 0x7000 | subMillisecond  // 48 bits time, version 7, rand_a
        let low = RandomPool.shared.next() & 0x3FFF_FFFF_FFFF_FFFF | 0x8000_0000_0000_0000  // variant 10
        return UUIDText.format(high: high, low: low)
    }
}
