import MeshLogging
import MeshOps
import MeshWire

/// Findings by rule and by severity, and verdict decisions per hour, folded from every verdict
/// on mesh.verdicts (compliance, review and model review alike; `kind` tells them apart).
/// The wire finding carries rule and severity, not the detector's identifier class, so the
/// rule id (e.g. `hipaa-name`) is the finest class shown.
public struct ComplianceSummary: Codable, Sendable, Equatable {
    public struct RuleCount: Codable, Sendable, Equatable {
        public var rule: String
        public var severity: String
        public var kind: String
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
    public var bySeverity: [SeverityCount]
    public var decisionsByHour: [DecisionCount]

    public init(_ log: [MeshSnapshot.TimedVerdict]) {
        var rules: [String: RuleCount] = [:]
        var severities: [String: Int] = [:]
        var decisions: [String: DecisionCount] = [:]
        for entry in log {
            let kind = name(entry.verdict.kind)
            for finding in entry.verdict.findings {
                let severity = name(finding.severity)
                rules[finding.ruleID, default: RuleCount(rule: finding.ruleID, severity: severity, kind: kind, findings: 0)].findings += 1
                severities[severity, default: 0] += 1
            }
            let hourMicros = entry.timeUnixMicros - entry.timeUnixMicros % 3_600_000_000
            let hour = RFC3339.format(unixMicros: hourMicros, fractionDigits: 0)
            let decision = OpsNames.decision(entry.verdict.decision)
            let key = "\(hour) \(kind) \(decision)"
            decisions[key, default: DecisionCount(hour: hour, kind: kind, decision: decision, verdicts: 0)].verdicts += 1
        }
        byRule = rules.values.sorted { ($1.findings, $0.rule) < ($0.findings, $1.rule) }
        bySeverity = severities.map { SeverityCount(severity: $0.key, findings: $0.value) }.sorted { $0.severity < $1.severity }
        decisionsByHour = decisions.values.sorted { ($0.hour, $0.kind, $0.decision) < ($1.hour, $1.kind, $1.decision) }
    }
}
