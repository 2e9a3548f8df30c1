import MeshSigning
import MeshWire

/// Turns an envelope into the bytes that go on the wire: the exact encoded envelope plus
/// this role's signature over those bytes.
public struct EnvelopeSealer: Sendable {
    public let signer: MessageSigner
    public let codec: EnvelopeCodec

    public init(signer: MessageSigner, codec: EnvelopeCodec = EnvelopeCodec()) {
        self.signer = signer
        self.codec = codec
    }

    /// The principal whose key signs, e.g. `reviewer` or a person's id.
    public var principal: String { signer.metadata.principal }

    /// The sealed bytes: the envelope encoded once, straight into the sealed framing, and
    /// signed where it lies (no intermediate copy of the envelope bytes).
    public func seal(_ envelope: Envelope) throws -> [UInt8] {
        try codec.seal(envelope) { [Signature(signer.sign($0))] }
    }
}

extension Signature {
    init(_ value: SignatureValue) {
        self.init(keyID: value.keyId, algorithm: SignatureAlgorithm(value.algorithm), signature: value.bytes)
    }
}

extension SignatureAlgorithm {
    init(_ algorithm: SigningAlgorithm) {
        switch algorithm {
        case .hmacSHA256: self = .hmacSHA256
        case .ed25519: self = .ed25519
        }
    }

    /// `nil` for algorithms this build does not implement (unspecified or newer ones).
    var signingAlgorithm: SigningAlgorithm? {
        switch self {
        case .hmacSHA256: return .hmacSHA256
        case .ed25519: return .ed25519
        default: return nil
        }
    }
}
