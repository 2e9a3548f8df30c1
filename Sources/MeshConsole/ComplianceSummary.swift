import MeshLogging
import MeshOps
import MeshWire

/// Findings by rule, by identifier class and by severity, findings per hour by rule, class and
/// the verdict's decision, and verdict decisions per hour, folded from every verdict on
/// mesh.verdicts (compliance, review and model review alike; `kind` tells them apart).
/// The wire finding names its rule, not its class; the class comes from the rule in the policy
/// bundle the console loaded (`RuleClasses`), since each rule detects exactly one class.
public struct ComplianceSummary: Codable, Sendable, Equatable {
    public struct RuleCount: Codable, Sendable, Equatable {
        public var rule: String
        public var identifierClass: String
        public var severity: String
        public var kind: String
        public var findings: Int
    }
    public struct ClassCount: Codable, Sendable, Equatable {
        public var identifierClass: String
        public var findings: Int
    }
    public struct FindingCount: Codable, Sendable, Equatable {
        /// The hour, RFC 3339 (`2026-12-07T18:00:00Z`).
        public var hour: String
        public var rule: String
        public var identifierClass: String
        /// The decision of the verdict that reported the findings.
        public var decision: String
        public var findings: Int
    }
    public struct SeverityCount: Codable, Sendable, Equatable {
        public var severity: String
        public var findings: Int
    }
    public struct DecisionCount: Codable, Sendable, Equatable {
        /// The hour, RFC 3339 (`2026-12-07T18:00:00Z`).
        public var hour: String
        public var kind: String
        public var decision: String
        public var verdicts: Int
    }
    public var byRule: [RuleCount]
    public var byClass: [ClassCount]
    public var bySeverity: [SeverityCount]
    public var findingsByHour: [FindingCount]
    public var decisionsByHour: [DecisionCount]

    public init(_ log: [MeshSnapshot.TimedVerdict], classes: RuleClasses = RuleClasses([:])) {
        var rules: [String: RuleCount] = [:]
        var byClass: [String: Int] = [:]
        var severities: [String: Int] = [:]
        var findings: [String: FindingCount] = [:]
        var decisions: [String: DecisionCount] = [:]
        for entry in log {
            let kind = name(entry.verdict.kind)
            let hourMicros = entry.timeUnixMicros - entry.timeUnixMicros % 3_600_000_000
            let hour = RFC3339.format(unixMicros: hourMicros, fractionDigits: 0)
            let decision = OpsNames.decision(entry.verdict.decision)
            for finding in entry.verdict.findings {
                let severity = name(finding.severity), identifierClass = classes.of(finding.ruleID)
                rules[finding.ruleID, default: RuleCount(rule: finding.ruleID, identifierClass: identifierClass, severity: severity, kind: kind,
                                                         findings: 0)].findings += 1
                byClass[identifierClass, default: 0] += 1
                severities[severity, default: 0] += 1
                findings["\(hour) \(finding.ruleID) \(decision)", default: FindingCount(
                    hour: hour, rule: finding.ruleID, identifierClass: identifierClass, decision: decision, findings: 0)].findings += 1
            }
            let key = "\(hour) \(kind) \(decision)"
            decisions[key, default: DecisionCount(hour: hour, kind: kind, decision: decision, verdicts: 0)].verdicts += 1
        }
        byRule = rules.values.sorted { ($1.findings, $0.rule) < ($0.findings, $1.rule) }
        self.byClass = byClass.map { ClassCount(identifierClass: $0.key, findings: $0.value) }.sorted { ($1.findings, $0.identifierClass) < ($0.findings, $1.identifierClass) }
        bySeverity = severities.map { SeverityCount(severity: $0.key, findings: $0.value) }.sorted { $0.severity < $1.severity }
        findingsByHour = findings.values.sorted { ($0.hour, $0.rule, $0.decision) < ($1.hour, $1.rule, $1.decision) }
        decisionsByHour = decisions.values.sorted { ($0.hour, $0.kind, $0.decision) < ($1.hour, $1.kind, $1.decision) }
    }
}
