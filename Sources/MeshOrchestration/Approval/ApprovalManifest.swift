import MeshSigning
import MeshWire

/// What a person's approval signature covers (21 CFR 11.50 / 11.70): the approval, the
/// exact result it approves (its hash), the decision, its meaning, the signer's id and
/// printed name, the time and the reason — bound together so the signature cannot be moved
/// to another record or reinterpreted.
///
/// `meshctl approve`/`reject` sign ``bytes(for:)`` with the person's Ed25519 key and put the
/// signature in `ApprovalDecision.signature`; the orchestrator's runtime verifies it against
/// the trust store before the decision reaches the state machine.
public enum ApprovalManifest {
    public static func bytes(for decision: ApprovalDecision) -> [UInt8] {
        var out = Array("agentmesh-approval-manifest-v1\0".utf8)
        func field(_ bytes: [UInt8]) {
            let count = UInt32(bytes.count)
            out += [UInt8(count >> 24), UInt8((count >> 16) & 0xff), UInt8((count >> 8) & 0xff), UInt8(count & 0xff)]
            out += bytes
        }
        field(Array(decision.approvalID.utf8))
        field(Array(String(decision.decision.rawValue).utf8))
        field(Array(decision.signerID.utf8))
        field(Array(decision.printedName.utf8))
        field(Array(decision.meaning.utf8))
        field(Array(String(decision.signedAtUnixMicros).utf8))
        field(Array(decision.reason.utf8))
        field(decision.resultSHA256)
        return out
    }

    /// Checks `decision.signature` against the trust store: it must verify over the manifest
    /// and belong to the person named as signer, with an Ed25519 key.
    public static func verify(_ decision: ApprovalDecision, trust: TrustStore) throws -> VerifiedSigner {
        guard let signature = decision.signature else { throw ApprovalSignatureError.missing }
        guard signature.algorithm == .ed25519 else { throw ApprovalSignatureError.notEd25519(keyID: signature.keyID) }
        let value = SignatureValue(keyId: signature.keyID, algorithm: .ed25519, bytes: signature.signature)
        let signer = try trust.verify(bytes(for: decision), signatures: [value], from: decision.signerID)
        guard signer.principalKind == .person else { throw ApprovalSignatureError.notAPerson(signer.principal) }
        return signer
    }

    /// Signs a decision as `signer` (a person's Ed25519 signer from the key ring).
    public static func sign(_ decision: ApprovalDecision, with signer: MessageSigner) -> ApprovalDecision {
        var signed = decision
        let value = signer.sign(bytes(for: decision))
        signed.signature = Signature(keyID: value.keyId, algorithm: .ed25519, signature: value.bytes)
        return signed
    }
}

/// Why an approval's signature is not accepted.
public enum ApprovalSignatureError: Error, Equatable, CustomStringConvertible {
    case missing
    case notEd25519(keyID: String)
    case notAPerson(String)

    public var description: String {
        switch self {
        case .missing: return "the approval decision carries no signature; sign it with `meshctl approve`"
        case .notEd25519(let key): return "approval signature by key \(key) is not Ed25519; people sign with Ed25519 keys"
        case .notAPerson(let principal): return "approval signed by \(principal), which is not a person"
        }
    }
}
