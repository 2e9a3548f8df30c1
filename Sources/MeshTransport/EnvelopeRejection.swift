import MeshSigning
import MeshWire

/// Why an incoming message was not handed to a handler. Every case is permanent: retrying
/// the same bytes cannot succeed, so the message goes to the dead-letter topic at once.
public struct EnvelopeRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable codes, used in dead-letter headers and metrics.
    public enum Reason: String, Sendable, CaseIterable {
        case oversize
        case malformed
        case unsupportedVersion = "unsupported-version"
        case noSignature = "no-signature"
        case unknownKey = "unknown-key"
        case badSignature = "bad-signature"
        case revokedKey = "revoked-key"
        /// Signed by one principal but claiming to come from another role (`source`).
        case sourceMismatch = "source-mismatch"
        /// The catalog does not allow this signer's role to emit this type on this topic.
        case unauthorized
        /// On a partition other than the one the catalog's partitioner gives its correlation
        /// id: produced with another partitioner (or key), it would reach a consumer that does
        /// not own its objective.
        case misrouted
        /// An id its signer cannot have produced: a derivable envelope whose id is not the one
        /// derived from its cause and producer, or a root whose id takes the derived form.
        case badDerivedID = "bad-derived-id"
        /// An id already used by a different envelope that owns it (another principal, type or
        /// topic, or other bytes for a root id).
        case idConflict = "id-conflict"
    }

    public var reason: Reason
    public var detail: String

    public init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    /// Signature problems are security events, not just bad data.
    public var isSecurityEvent: Bool {
        switch reason {
        case .noSignature, .unknownKey, .badSignature, .revokedKey, .sourceMismatch, .unauthorized, .badDerivedID,
             .idConflict:
            return true
        case .oversize, .malformed, .unsupportedVersion, .misrouted: return false
        }
    }

    public var description: String { "\(reason.rawValue): \(detail)" }

    init(_ error: WireError) {
        switch error {
        case .oversize: self.init(.oversize, "\(error)")
        case .unsupportedSpecVersion, .unsupportedSchemaVersion, .unsupportedSealedFormatVersion, .unknownPayload:
            self.init(.unsupportedVersion, "\(error)")
        default: self.init(.malformed, "\(error)")
        }
    }

    init(_ error: SigningError) {
        switch error {
        case .noSignatures: self.init(.noSignature, "\(error)")
        case .unknownKeyId: self.init(.unknownKey, "\(error)")
        case .revokedKey: self.init(.revokedKey, "\(error)")
        default: self.init(.badSignature, "\(error)")
        }
    }
}
