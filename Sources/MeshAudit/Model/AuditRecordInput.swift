import MeshSigning

/// Whether the sink could verify an envelope's signatures when it received it.
///
/// Envelopes that fail verification are still stored (flagged), never dropped: an auditor needs
/// to see forgery attempts as much as legitimate traffic.
public enum AuditVerificationStatus: Sendable, Hashable {
    /// The signatures checked out against the sink's trust store.
    case verified
    /// Verification failed (or the bytes could not be decoded); `reason` says why.
    case rejected(reason: String)

    /// True for `.verified`.
    public var isVerified: Bool {
        if case .verified = self { return true }
        return false
    }

    /// The column value stored for this status: `verified` or `rejected`.
    public var label: String { isVerified ? "verified" : "rejected" }

    /// The rejection reason, or nil when verified.
    public var reason: String? {
        if case .rejected(let reason) = self { return reason }
        return nil
    }

    /// Reason prefix of records whose envelope verified but that the runtime refuses by
    /// catalog authorization (stored flagged by a sink run with --flag-unauthorized; the
    /// runtime's `EnvelopeRejection` code `unauthorized`).
    public static let unauthorizedReasonPrefix = "unauthorized:"
}

/// Where a record was read from Kafka. Unique per stored record: the same coordinates twice
/// mean a redelivery.
public struct KafkaCoordinates: Sendable, Hashable {
    /// Topic name.
    public var topic: String
    /// Partition number.
    public var partition: Int32
    /// Offset within the partition.
    public var offset: Int64
    /// The Kafka message timestamp, unix milliseconds.
    public var timestampMillis: Int64

    /// Coordinates of one Kafka message.
    public init(topic: String, partition: Int32, offset: Int64, timestampMillis: Int64) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestampMillis = timestampMillis
    }
}

/// One envelope as handed to the audit store by the Kafka sink.
///
/// `raw` is the sealed envelope exactly as received. Identity fields come from decoding it; for
/// garbage that cannot be decoded they may be empty strings, in which case duplicates are
/// detected by Kafka coordinates only.
public struct AuditRecordInput: Sendable, Hashable {
    /// The sealed bytes as received from Kafka.
    public var raw: [UInt8] {
        didSet { rawSHA256 = SHA256Digest.hash(raw) }
    }
    /// SHA-256 of `raw`, computed when the input is made (and again if `raw` changes). The
    /// sink makes inputs while the previous batch is being appended, so the digest of the
    /// ~1 KiB envelope is not computed inside the store's write transaction.
    public private(set) var rawSHA256: [UInt8]
    /// Envelope id (the idempotency key); empty when undecodable.
    public var envelopeID: String
    /// Envelope type, e.g. `review.verdict`.
    public var type: String
    /// Producing role or principal.
    public var source: String
    /// What the envelope is about (ticket, change set, ...).
    public var subject: String
    /// Id of the root message of the conversation.
    public var correlationID: String
    /// Envelope id of the direct parent message; empty for a root.
    public var causationID: String
    /// Event time claimed by the producer, unix microseconds.
    public var eventTimeMicros: Int64
    /// Key id of the signature that verified (or was claimed), if known.
    public var signerKeyID: String?
    /// Principal holding that key, if known.
    public var signerPrincipal: String?
    /// Verification outcome at the sink.
    public var verification: AuditVerificationStatus
    /// Kafka topic, partition, offset and timestamp.
    public var kafka: KafkaCoordinates

    /// An input record; every field is stored and covered by the record hash.
    public init(
        raw: [UInt8], envelopeID: String, type: String, source: String, subject: String,
        correlationID: String, causationID: String, eventTimeMicros: Int64,
        signerKeyID: String? = nil, signerPrincipal: String? = nil,
        verification: AuditVerificationStatus, kafka: KafkaCoordinates
    ) {
        self.raw = raw
        rawSHA256 = SHA256Digest.hash(raw)
        self.envelopeID = envelopeID
        self.type = type
        self.source = source
        self.subject = subject
        self.correlationID = correlationID
        self.causationID = causationID
        self.eventTimeMicros = eventTimeMicros
        self.signerKeyID = signerKeyID
        self.signerPrincipal = signerPrincipal
        self.verification = verification
        self.kafka = kafka
    }
}
