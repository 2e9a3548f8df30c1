import MeshCatalog
import MeshLogging
import MeshOrchestration
import MeshSigning
import MeshTransport
import MeshWire

/// The rules a person's decision on an approval request must pass, and the signed decision
/// envelope itself; shared by `meshctl approve` and the console so both refuse alike.
public enum ApprovalDesk {
    /// Refuses before any key is touched: an already decided request, the result's own author
    /// (separation of duties), an expired request.
    public static func check(person: String, request: ApprovalRequested, existingDecision: ApprovalDecision?, now: Int64) throws {
        if let existing = existingDecision {
            let verb = existing.decision == .approve ? "approved" : "rejected"
            throw ApprovalRefusal(.alreadyDecided, "approval \(request.approvalID) is already decided: \(verb) by \(existing.signerID) "
                                  + "(meaning \(existing.meaning)); nothing was published")
        }
        if person == request.authorID {
            throw ApprovalRefusal(.separationOfDuties,
                                  "\(person) authored the result of \(request.taskID) attempt \(request.attempt) and may not "
                                  + "decide on it (separation of duties); ask another person; nothing was published")
        }
        if request.deadlineUnixMicros > 0, request.deadlineUnixMicros < now {
            throw ApprovalRefusal(.expired, "approval \(request.approvalID) expired at "
                                  + "\(RFC3339.format(unixMicros: request.deadlineUnixMicros, fractionDigits: 0)); "
                                  + "the orchestrator records it as expired; nothing was published")
        }
    }

    /// The decision signed with the person's Ed25519 key (the 21 CFR 11.50 manifest: approval,
    /// result hash, decision, meaning, signer, printed name, time, reason) in an envelope from
    /// `/mesh/approver/<person>` caused by the request; seal it with the same `signer`.
    public static func decisionEnvelope(
        _ decision: Decision, on request: ApprovalRequested, requestEnvelope: Envelope, person: String,
        printedName: String, meaning: String, reason: String, signer: MessageSigner, now: Int64
    ) throws -> Envelope {
        guard signer.metadata.principalKind == .person else {
            throw ApprovalRefusal(.notAPerson, "\(signer.metadata.principal) is a role, not a person: approvals are signed by people "
                                  + "(`meshctl keys init --people <id>`); nothing was published")
        }
        guard signer.metadata.principal == person else {
            throw ApprovalRefusal(.wrongKey, "the key \(signer.metadata.keyId) belongs to \(signer.metadata.principal), not to \(person); "
                                  + "nothing was published")
        }
        let unsigned = ApprovalDecision(
            approvalID: request.approvalID, decision: decision, signerID: person, printedName: printedName,
            meaning: meaning, signedAtUnixMicros: now, reason: reason, resultSHA256: request.resultSHA256)
        let signed = ApprovalManifest.sign(unsigned, with: signer)
        let id = Envelope.makeID()
        return Envelope(
            id: id, source: SourcePath.make(role: MeshRoles.approver, instance: person), correlationID: requestEnvelope.correlationID,
            causationID: requestEnvelope.id, subject: request.approvalID,
            traceparent: TraceContext.traceparent(ofOutput: id, causedBy: requestEnvelope),
            timeUnixMicros: now, payload: .approvalDecision(signed))
    }
}
