import MeshCatalog
import MeshSigning
import MeshTransport

/// Who may emit what, by the catalog: the signer's role must be listed as a producer of the
/// envelope's type on the topic it arrived on. A person acts through the person role named
/// in the envelope's source (`/mesh/approver/<person>`; the opener already checked the
/// person signed it). So a "verdict" signed by an agent's key is refused.
public enum Authorization {
    public static func check(_ inbound: InboundEnvelope, catalog: Catalog) -> EnvelopeRejection? {
        let signer = inbound.opened.signer
        let envelope = inbound.envelope
        let actingRole: String
        switch signer.principalKind {
        case .role:
            actingRole = signer.principal
        case .person:
            guard let role = SourcePath.role(of: envelope.source), catalog.role(named: role)?.kind == .person else {
                return EnvelopeRejection(
                    .unauthorized, "person \(signer.principal) signed an envelope from \(envelope.source), which is not a person role")
            }
            actingRole = role
        }
        guard catalog.mayProduce(role: actingRole, type: envelope.type, on: inbound.message.topic) else {
            return EnvelopeRejection(
                .unauthorized,
                "\(actingRole) (key \(signer.keyId)) may not emit \(envelope.type) on \(inbound.message.topic) (topic catalog)")
        }
        return nil
    }
}
