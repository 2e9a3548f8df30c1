/// The Kafka message value on every `mesh.*` topic: exact envelope bytes plus signatures.
///
/// The envelope is kept as bytes, not as an `Envelope`, because verification must run over
/// the bytes as received; re-serialising could change them and silently void signatures.
public struct SealedEnvelope: Sendable, Hashable, Codable {
    /// The only sealed framing version this build understands.
    public static let currentFormatVersion: UInt32 = 1

    public var formatVersion: UInt32
    /// Serialised `Envelope`; decode with `EnvelopeCodec.decode(_:)` after verifying.
    public var envelope: [UInt8]
    /// One or more signatures over `envelope`.
    public var signatures: [Signature]

    public init(envelope: [UInt8], signatures: [Signature],
                formatVersion: UInt32 = SealedEnvelope.currentFormatVersion) {
        self.formatVersion = formatVersion
        self.envelope = envelope
        self.signatures = signatures
    }
}
