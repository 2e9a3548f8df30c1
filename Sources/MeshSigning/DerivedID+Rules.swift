import MeshCatalog
import MeshWire

extension DerivedID {
    /// The id `envelope` must carry when `role` derived it from its cause, or `nil` when
    /// `role` derives no envelope of this type (roots: objectives, heartbeats, a person's
    /// decision, operator actions).
    ///
    /// Producers build their ids with ``make(causeID:role:output:discriminator:)``; this
    /// table states the same derivations from the envelope alone, so every receiver can
    /// recompute a derived id from the cause, the signing role and the payload. A principal
    /// can therefore never mint, or pre-empt, an id another role will derive.
    public static func expected(for envelope: Envelope, producedBy role: String) -> String? {
        let cause = envelope.causationID
        guard !cause.isEmpty else { return nil }
        let type = envelope.payload.kind.rawValue
        switch (role, envelope.payload) {
        case (MeshRoles.orchestrator, .planCreated), (MeshRoles.orchestrator, .planStatus), (MeshRoles.orchestrator, .planCompleted),
             (MeshRoles.orchestrator, .planFailed):
            return make(causeID: cause, role: role, output: type)
        case (MeshRoles.orchestrator, .taskAssigned(let task)):
            return make(causeID: cause, role: role, output: type, discriminator: "\(task.taskID)#\(task.attempt)")
        case (MeshRoles.orchestrator, .approvalRequested(let request)):
            return make(causeID: cause, role: role, output: type, discriminator: "\(request.taskID)#\(request.attempt)")
        case (MeshRoles.orchestrator, .orchestratorSnapshot):
            return make(causeID: cause, role: role, output: "snapshot")
        case (MeshRoles.orchestrator, .approvalDecision):
            return make(causeID: cause, role: role, output: type, discriminator: expiredDiscriminator)
        case (MeshRoles.orchestrator, .taskResult):
            return make(causeID: cause, role: role, output: type, discriminator: timedOutDiscriminator)
        case (MeshRoles.reviewer, .verdict), (MeshRoles.compliance, .verdict):
            return make(causeID: cause, role: role, output: "verdict")
        case (_, .taskResult) where role != MeshRoles.orchestrator:
            return make(causeID: cause, role: role, output: "result")
        default:
            return nil
        }
    }

    /// Discriminator of an approval decision the orchestrator records when a deadline passes.
    public static let expiredDiscriminator = "expired"
    /// Discriminator of the failed result the orchestrator records for a timed-out attempt.
    public static let timedOutDiscriminator = "timed-out"

    /// Whether `id` has the form of a derived id (an RFC 9562 version 8 UUID).
    public static func hasDerivedForm(_ id: String) -> Bool {
        let utf8 = id.utf8
        guard utf8.count == 36 else { return false }
        return utf8[utf8.index(utf8.startIndex, offsetBy: 14)] == UInt8(ascii: "8")
    }

    /// Why `envelope`'s id cannot be one its signer produced, or `nil` when it can. An id of
    /// the derived form must be exactly the id its signing `role` derives from the envelope's
    /// cause and payload; any other id is a root and owns nothing derived. So a principal
    /// cannot carry the id of an output another role will derive (it would have to sign as
    /// that role, from the same cause), and two causes never share a derived id.
    public static func mismatch(_ envelope: Envelope, signedByRole role: String?) -> String? {
        guard hasDerivedForm(envelope.id) else { return nil }
        guard let role, let expected = expected(for: envelope, producedBy: role) else {
            return "id \(envelope.id) has the derived form (UUID version 8), but \(role ?? "a person") derives no "
                + "\(envelope.payload.kind.rawValue) from \(envelope.causationID.isEmpty ? "no cause" : envelope.causationID): "
                + "root ids are version 7"
        }
        guard envelope.id == expected else {
            return "id \(envelope.id) of \(envelope.payload.kind.rawValue) from \(role) is not the id derived from its cause "
                + "\(envelope.causationID) (\(expected))"
        }
        return nil
    }
}
