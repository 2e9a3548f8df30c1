import MeshSigning
import MeshTransport

/// What an instance remembers of an envelope it applied, to judge a later envelope with the
/// same id (issue: "ids mean one thing"):
/// - the same bytes on the same topic: a redelivery, dropped;
/// - other bytes of a derived id from the same producer, type and topic: the producer handled
///   its input again after a crash (an agent's work is not deterministic); the first copy
///   applied wins, the later one is dropped as superseded;
/// - anything else (another principal, type or topic, or other bytes of a root id): a
///   conflict, which never suppresses the envelope that owns the id and is dead-lettered as
///   a security event.
public struct EnvelopeFingerprint: Sendable, Equatable {
    public var topic: String
    public var principal: String
    public var type: String
    public var causationID: String
    /// Hash of the exact envelope bytes (this process's hash seed: compared in memory only).
    public var bytesHash: Int

    public init(topic: String, principal: String, type: String, causationID: String, envelopeBytes: [UInt8]) {
        self.topic = topic
        self.principal = principal
        self.type = type
        self.causationID = causationID
        var hasher = Hasher()
        envelopeBytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        bytesHash = hasher.finalize()
    }

    public init(_ inbound: InboundEnvelope) {
        self.init(
            topic: inbound.message.topic, principal: inbound.opened.signer.principal,
            type: inbound.envelope.payload.kind.rawValue, causationID: inbound.envelope.causationID,
            envelopeBytes: inbound.opened.envelopeBytes)
    }

    /// How an envelope with this fingerprint relates to `first`, applied earlier with the same id.
    public enum Repeat: Sendable, Equatable {
        case redelivery
        case superseded
        case conflict(String)
    }

    public func compared(to first: EnvelopeFingerprint, id: String) -> Repeat {
        guard topic == first.topic, principal == first.principal, type == first.type else {
            return .conflict("id \(id) was first used by \(first.principal) for \(first.type) on \(first.topic); "
                             + "this is \(principal)'s \(type) on \(topic)")
        }
        if bytesHash == first.bytesHash { return .redelivery }
        guard DerivedID.hasDerivedForm(id), causationID == first.causationID else {
            return .conflict("root id \(id) of \(type) from \(principal) was first used by an envelope with other content")
        }
        return .superseded
    }
}
