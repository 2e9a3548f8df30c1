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
/// envelope bytes, then decoding, then that the claimed source matches the signer.
public struct EnvelopeOpener: Sendable {
    public let trust: TrustStore
    public let codec: EnvelopeCodec

    public init(trust: TrustStore, codec: EnvelopeCodec = EnvelopeCodec()) {
        self.trust = trust
        self.codec = codec
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
        let signer: VerifiedSigner
        do { signer = try trust.verify(sealed.envelope, signatures: values) } catch let error as SigningError {
            return .failure(EnvelopeRejection(error))
        } catch {
            return .failure(EnvelopeRejection(.badSignature, "\(error)"))
        }
        let envelope: Envelope
        do { envelope = try codec.decode(sealed.envelope) } catch { return .failure(EnvelopeRejection(error)) }
        if let mismatch = SourcePath.mismatch(source: envelope.source, signer: signer) {
            return .failure(EnvelopeRejection(.sourceMismatch, mismatch))
        }
        return .success(OpenedEnvelope(
            envelope: envelope, signer: signer, sealedBytes: bytes, envelopeBytes: sealed.envelope))
    }
}

/// Envelope sources name the emitting role: `/mesh/<role>/<instance>`. A person's
/// decisions come from `/mesh/<person role>/<person id>` (e.g. `/mesh/approver/alice`).
public enum SourcePath {
    public static func make(role: String, instance: String) -> String { "/mesh/\(role)/\(instance)" }

    /// The role part of a source, or `nil` if the source is not a mesh path.
    public static func role(of source: String) -> String? {
        let parts = source.split(separator: "/", omittingEmptySubsequences: true)
        guard parts.count >= 2, parts[0] == "mesh" else { return nil }
        return String(parts[1])
    }

    /// Why `source` cannot have been emitted by `signer`, or `nil` when it can. Runs on every
    /// received record, so it compares UTF-8 views in place instead of splitting or copying.
    static func mismatch(source: String, signer: VerifiedSigner) -> String? {
        let path = source.utf8
        let prefix = "/mesh/".utf8
        guard path.starts(with: prefix) else {
            return "source \"\(source)\" is not a mesh source (/mesh/<role>/<instance>)"
        }
        let rest = path.dropFirst(prefix.count)
        let roleEnd = rest.firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
        let role = rest[rest.startIndex..<roleEnd]
        let instanceStart = roleEnd == rest.endIndex ? roleEnd : rest.index(after: roleEnd)
        let instanceEnd = rest[instanceStart...].firstIndex(of: UInt8(ascii: "/")) ?? rest.endIndex
        let instance = rest[instanceStart..<instanceEnd]
        switch signer.principalKind {
        case .role where !role.elementsEqual(signer.principal.utf8):
            return "source \"\(source)\" claims role \(String(decoding: role, as: UTF8.self)) but is signed by role "
                + "\(signer.principal) (key \(signer.keyId))"
        case .person where !instance.elementsEqual(signer.principal.utf8):
            return "source \"\(source)\" does not name person \(signer.principal) who signed it (key \(signer.keyId))"
        default:
            return role.isEmpty ? "source \"\(source)\" names no role (/mesh/<role>/<instance>)" : nil
        }
    }
}
