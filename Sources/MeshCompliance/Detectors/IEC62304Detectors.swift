import Foundation

/// IEC 62304 traceability: the subject must carry a requirement attribute (default
/// `requirement_ids`) listing one or more ids separated by `,`, `;` or whitespace, each matching
/// the pack's id pattern. The pattern language is deliberately tiny (no regex engine):
/// `#` = one digit, `#+` = one or more digits, `@` = one uppercase letter, `|` separates
/// alternatives, anything else is literal. Example: `SRS-###|REQ-#+`.
/// Which work needs traceability is decided by the rule scope (e.g. `safety_classes: [C]`).
public struct RequirementTraceDetector: RecordDetector {
    public let attribute: String
    public let pattern: IdPattern

    public init(attribute: String = "requirement_ids", pattern: IdPattern) {
        self.attribute = attribute
        self.pattern = pattern
    }

    public func check(_ subject: ComplianceSubject) -> [RecordIssue] {
        let loc = "attributes.\(attribute)"
        guard let raw = subject.attributes[attribute],
              !raw.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            return [RecordIssue(location: loc, message: "no traceability to a software requirement (attribute \"\(attribute)\" missing; IEC 62304 5.1.1/7.3.3)")]
        }
        let ids = raw.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == " " || $0 == "\n" || $0 == "\t" })
        var issues: [RecordIssue] = []
        for id in ids where !pattern.matches(String(id)) {
            issues.append(RecordIssue(location: loc, message: "requirement id \"\(Mask.truncate(String(id), 32))\" does not match pattern \(pattern.source)"))
        }
        return issues
    }
}

/// IEC 62304 / review control: at least `minApprovals` human approvals, optionally from
/// one of `roles`.
public struct HumanApprovalDetector: RecordDetector {
    public let minApprovals: Int
    public let roles: [String]

    public init(minApprovals: Int = 1, roles: [String] = []) {
        self.minApprovals = minApprovals
        self.roles = roles
    }

    public func check(_ subject: ComplianceSubject) -> [RecordIssue] {
        let counted = subject.approvals.filter { a in
            !a.approver.trimmingCharacters(in: .whitespaces).isEmpty && (roles.isEmpty || roles.contains(a.role ?? ""))
        }
        // Distinct approvers only.
        let distinct = Set(counted.map(\.approver)).count
        if distinct >= minApprovals { return [] }
        let who = roles.isEmpty ? "" : " from role(s) \(roles.joined(separator: ", "))"
        return [RecordIssue(location: "approvals",
                            message: "requires \(minApprovals) human approval(s)\(who), found \(distinct)")]
    }
}

/// Tiny identifier pattern: `#` digit, `#+` digits, `@` uppercase letter, `|` alternatives,
/// other characters literal. Whole-string match.
public struct IdPattern: Sendable, Equatable {
    enum Token: Equatable, Sendable { case digit, digits, upper, literal(UInt8) }

    public let source: String
    let alternatives: [[Token]]

    /// Parses a pattern; throws on an empty alternative.
    public init(_ source: String) throws {
        self.source = source
        var alts: [[Token]] = []
        for alt in source.split(separator: "|", omittingEmptySubsequences: false) {
            let b = Array(alt.utf8)
            guard !b.isEmpty else { throw DetectorConfigError(parameter: "id_pattern", "empty alternative in pattern \"\(source)\"") }
            var toks: [Token] = []
            var i = 0
            while i < b.count {
                if b[i] == 0x23 {
                    if i + 1 < b.count && b[i + 1] == 0x2B { toks.append(.digits); i += 2; continue }
                    toks.append(.digit)
                } else if b[i] == 0x40 {
                    toks.append(.upper)
                } else {
                    toks.append(.literal(b[i]))
                }
                i += 1
            }
            alts.append(toks)
        }
        alternatives = alts
    }

    /// Whole-string match against any alternative.
    public func matches(_ s: String) -> Bool {
        let b = Array(s.utf8)
        return alternatives.contains { Self.match($0, 0, b, 0) }
    }

    private static func match(_ p: [Token], _ pi: Int, _ s: [UInt8], _ si: Int) -> Bool {
        if pi == p.count { return si == s.count }
        switch p[pi] {
        case .digit: return si < s.count && ASCII.isDigit(s[si]) && match(p, pi + 1, s, si + 1)
        case .upper: return si < s.count && ASCII.isUpper(s[si]) && match(p, pi + 1, s, si + 1)
        case .literal(let c): return si < s.count && s[si] == c && match(p, pi + 1, s, si + 1)
        case .digits:
            var j = si
            while j < s.count && ASCII.isDigit(s[j]) {
                j += 1
                if match(p, pi + 1, s, j) { return true }
            }
            return false
        }
    }
}
