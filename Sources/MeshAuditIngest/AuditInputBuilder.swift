import MeshAudit
import MeshKafka
import MeshSigning
import MeshTransport
import MeshWire

/// Turns one Kafka record into what the audit store keeps: the exact bytes, the indexed
/// envelope fields and the Kafka coordinates, plus the verification outcome.
///
/// A record that does not verify is still stored, flagged `rejected` with the reason. Its
/// claimed fields (type, source, subject, correlation, causation, time, key id) are indexed
/// when the bytes decode, so `meshctl audit search --rejected` and `trace` show forgeries next
/// to the real traffic. Its claimed envelope id is NOT used as the store's idempotency key
/// (it goes into the reason instead): otherwise a forger could pre-empt a genuine envelope by
/// publishing a fake with the same id first, and the genuine one would be dropped as a
/// duplicate. Redeliveries of a rejected record are still recognised by Kafka coordinates.
public struct AuditInputBuilder: Sendable {
    /// Whether a verified envelope's signer may emit it where it arrived; the runtime's own
    /// check (`Authorization.check` over the catalog) is passed in, so there is one
    /// implementation. Returns the rejection, or nil when allowed.
    public typealias Authorize = @Sendable (InboundEnvelope) -> EnvelopeRejection?

    public let opener: EnvelopeOpener
    /// When set, envelopes the runtime would refuse by catalog authorization are stored
    /// flagged `unauthorized` (rejected, with the reason) instead of verified.
    public let authorize: Authorize?
    let codec = EnvelopeCodec()

    public init(opener: EnvelopeOpener, authorize: Authorize? = nil) {
        self.opener = opener
        self.authorize = authorize
    }

    /// The Kafka record `raw` was read as (headers are not part of the audit record).
    static func message(raw: [UInt8], kafka: KafkaCoordinates) -> ConsumedMessage {
        ConsumedMessage(topic: kafka.topic, partition: kafka.partition, offset: kafka.offset, key: nil, value: raw,
                        headers: ConsumedHeaders([]), timestampMs: kafka.timestampMillis)
    }

    public func build(_ message: ConsumedMessage) -> (input: AuditRecordInput, rejection: EnvelopeRejection?) {
        build(raw: message.value, kafka: KafkaCoordinates(
            topic: message.topic, partition: message.partition, offset: message.offset,
            timestampMillis: message.timestampMs))
    }

    /// What the sink stores for `raw` read at `kafka` (also how verify re-checks a stored record).
    public func build(raw: [UInt8], kafka: KafkaCoordinates) -> (input: AuditRecordInput, rejection: EnvelopeRejection?) {
        switch opener.open(raw) {
        case .success(let opened):
            if let authorize, let refusal = authorize(InboundEnvelope(opened: opened, message: Self.message(raw: raw, kafka: kafka))) {
                return (rejectedInput(raw, refusal, kafka), refusal)
            }
            let envelope = opened.envelope
            let input = AuditRecordInput(
                raw: raw, envelopeID: indexable(envelope.id), type: envelope.type, source: indexable(envelope.source),
                subject: indexable(envelope.subject), correlationID: indexable(envelope.correlationID),
                causationID: indexable(envelope.causationID),
                eventTimeMicros: envelope.timeUnixMicros, signerKeyID: opened.signer.keyId,
                signerPrincipal: opened.signer.principal, verification: .verified, kafka: kafka)
            return (input, nil)
        case .failure(let rejection):
            return (rejectedInput(raw, rejection, kafka), rejection)
        }
    }

    private func rejectedInput(
        _ raw: [UInt8], _ rejection: EnvelopeRejection, _ kafka: KafkaCoordinates
    ) -> AuditRecordInput {
        var claimedKeyID: String?
        var claimed: Envelope?
        if let sealed = try? codec.decodeSealed(raw) {
            claimedKeyID = sealed.signatures.first?.keyID
            claimed = try? codec.decode(sealed.envelope)
        }
        var reason = indexable(rejection.description)
        if let id = claimed?.id, !id.isEmpty { reason += " (claimed envelope id \(indexable(id)))" }
        return AuditRecordInput(
            raw: raw, envelopeID: "", type: claimed?.type ?? "", source: indexable(claimed?.source ?? ""),
            subject: indexable(claimed?.subject ?? ""), correlationID: indexable(claimed?.correlationID ?? ""),
            causationID: indexable(claimed?.causationID ?? ""), eventTimeMicros: claimed?.timeUnixMicros ?? max(0, kafka.timestampMillis) * 1_000,
            signerKeyID: claimedKeyID.map(indexable), signerPrincipal: nil, verification: .rejected(reason: reason), kafka: kafka)
    }
}
