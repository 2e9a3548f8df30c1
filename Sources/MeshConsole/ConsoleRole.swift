/// What a person may do in the console. Every role can read plans and approvals; only an
/// approver signs (separation of duties: an admin manages people, it does not sign results).
public enum ConsoleRole: String, Sendable, Codable, CaseIterable {
    case viewer, `operator`, approver, auditor, admin

    public var maySign: Bool { self == .approver }

    /// Operators and admins start work; approvers, auditors and viewers do not.
    public var maySubmit: Bool { self == .operator || self == .admin }

    /// Operators and admins redrive dead letters.
    public var mayOperate: Bool { self == .operator || self == .admin }

    /// Auditors and admins export the audit trail.
    public var mayAudit: Bool { self == .auditor || self == .admin }
}
