import Foundation
import MeshSigning
import MeshWire

/// An envelope whose signature checked out, with the exact bytes it arrived as.
public struct OpenedEnvelope: Sendable {
    public var envelope: Envelope
    public var signer: VerifiedSigner
    /// The sealed bytes as received: what the audit trail stores and hashes.
    public var sealedBytes: [UInt8]
    /// The inner envelope bytes the signature covers.
    public var envelopeBytes: [UInt8]
}

/// Checks incoming bytes in the only safe order: framing, then signature over the exact
/// envelope bytes, then decoding, then that the claimed source matches the signer, then that
/// the id is one the signer can have produced (``DerivedID/mismatch(_:signedByRole:)``).
public struct EnvelopeOpener: Sendable {
    public let trust: TrustStore
    public let codec: EnvelopeCodec
    /// Ed25519 verifications already done by this opener (and its copies), by envelope digest.
    public let verified: VerifiedEnvelopeCache

    public init(trust: TrustStore, codec: EnvelopeCodec = EnvelopeCodec(), verified: VerifiedEnvelopeCache = VerifiedEnvelopeCache()) {
        self.trust = trust
        self.codec = codec
        self.verified = verified
    }

    public func open(_ bytes: [UInt8]) -> Result<OpenedEnvelope, EnvelopeRejection> {
        let sealed: SealedEnvelope
        do { sealed = try codec.decodeSealed(bytes) } catch { return .failure(EnvelopeRejection(error)) }
        var values: [SignatureValue] = []
        values.reserveCapacity(sealed.signatures.count)
        for signature in sealed.signatures {
            guard let algorithm = signature.algorithm.signingAlgorithm else {
                return .failure(EnvelopeRejection(
                    .badSignature, "key \(signature.keyID): signature algorithm \(signature.algorithm) is not supported"))
            }
            values.append(SignatureValue(keyId: signature.keyID, algorithm: algorithm, bytes: signature.signature))
        }
        // The digest covers the signatures too: only the very same sealed bytes hit.
        let digest = values.contains { $0.algorithm == .ed25519 } ? SHA256Digest.hash(bytes) : nil
        let signer: VerifiedSigner
        if let digest, let cached = verified.signer(for: digest) {
            signer = cached
        } else {
            do {
                signer = try sealed.envelope.withUnsafeBytes { try trust.verify($0, signatures: values) }
            } catch let error as SigningError {
                return .failure(EnvelopeRejection(error))
            } catch {
                return .failure(EnvelopeRejection(.badSignature, "\(error)"))
            }
            if let digest { verified.insert(signer, for: digest) }
        }
        let envelope: Envelope
        do { envelope = try codec.decode(sealed.envelope) } catch { return .failure(EnvelopeRejection(error)) }
        if let mismatch = SourcePath.mismatch(source: envelope.source, signer: signer) {
            return .failure(EnvelopeRejection(.sourceMismatch, mismatch))
        }
        if let mismatch = DerivedID.mismatch(envelope, signedByRole: signer.principalKind == .role ? signer.principal : nil) {
            return .failure(EnvelopeRejection(.badDerivedID, mismatch))
        }
        return .success(OpenedEnvelope(
            envelope: envelope, signer: signer, sealedBytes: bytes, envelopeBytes: sealed.envelope))
    }
}

/// Envelope sources name the emitting role: `/mesh/<role>/<instance>`. A person's
/// decisions come from `/mesh/<person role>/<person id>` (e.g. `/mesh/approver/alice`).
public enum SourcePath {
    public static func make(role: String, instance: String) -> String { "/mesh/\(role)/\(instance)" }

    /// `/mesh/<role>`: the source of a role's derived outputs (verdicts of its rules, the
    /// orchestrator's plans). No instance name: a redelivered input handled by another
    /// instance, or after a restart, must yield the same bytes.
    public static func make(role: String) -> String { "/mesh/\(role)" }

    /// The role part of a source, or `nil` if the source is not a mesh path.
    public static func role(of source: String) -> String? {
        let parts = source.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count >= 2, parts[0] == "mesh" else { return nil }
        return String(parts[1])
    }

    /// Why `source` cannot have been emitted by `signer`, or `nil` when it can. Runs on every
    /// received record, so it compares UTF-8 views in place instead of splitting or copying.
    static func mismatch(source: String, signer: VerifiedSigner) -> String? {
        var source = source
        var principal = signer.principal
        let verdict: Mismatch? = source.withUTF8 { path in
            principal.withUTF8 { principal in Mismatch(path: path, principal: principal, kind: signer.principalKind) }
        }
        guard let verdict else { return nil }
        switch verdict {
        case .notMeshPath: return "source \"\(source)\" is not a mesh source (/mesh/<role>/<instance>)"
        case .noRole: return "source \"\(source)\" names no role (/mesh/<role>/<instance>)"
        case .otherRole(let role):
            return "source \"\(source)\" claims role \(role) but is signed by role \(signer.principal) (key \(signer.keyId))"
        case .otherPerson:
            return "source \"\(source)\" does not name person \(signer.principal) who signed it (key \(signer.keyId))"
        }
    }

    /// Why a source path does not fit its signer, worked out on the UTF-8 bytes in place.
    private enum Mismatch {
        case notMeshPath, noRole, otherRole(String), otherPerson

        init?(path: UnsafeBufferPointer<UInt8>, principal: UnsafeBufferPointer<UInt8>, kind: PrincipalKind) {
            let prefix: StaticString = "/mesh/"
            guard path.count >= prefix.utf8CodeUnitCount,
                memcmp(path.baseAddress!, prefix.utf8Start, prefix.utf8CodeUnitCount) == 0
            else { self = .notMeshPath; return }
            let rest = UnsafeBufferPointer(rebasing: path[prefix.utf8CodeUnitCount...])
            let roleEnd = rest.firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
            let role = UnsafeBufferPointer(rebasing: rest[..<roleEnd])
            let instanceStart = roleEnd == rest.endIndex ? roleEnd : roleEnd + 1
            let instanceEnd = rest[instanceStart...].firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
            let instance = UnsafeBufferPointer(rebasing: rest[instanceStart..<instanceEnd])
            switch kind {
            case .role where !Self.equal(role, principal): self = .otherRole(String(decoding: role, as: UTF8.self))
            case .person where !Self.equal(instance, principal): self = .otherPerson
            default:
                if role.isEmpty { self = .noRole } else { return nil }
            }
        }

        private static func equal(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Bool {
            lhs.count == rhs.count && (lhs.isEmpty || memcmp(lhs.baseAddress!, rhs.baseAddress!, lhs.count) == 0)
        }
    }
}
