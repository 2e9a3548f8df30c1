import Foundation
import MeshSigning
import MeshWire

/// The JSON exchanged with an external checker, `agentmesh.checker/v1`.
///
/// **stdin**: the task result, keys sorted:
/// `{"agent_id","artifacts":[{"content" | "content_base64","media_type","name","sha256"}],
///  "attempt","contract":"agentmesh.checker/v1","error","plan_id","role","state":"completed"|"failed"|…,
///  "summary","task_id"}`.
///
/// **stdout**: `{"findings":[{"rule_id"?,"severity"?,"message","location"?}]}`; an empty list
/// means the checker is satisfied. Exit status 0 is required; anything else is a checker
/// failure. `rule_id` is appended to the rule's id (`rule/sub-id`); `severity` (info, low,
/// medium, high, critical) defaults to the rule's.
public enum CheckerContract {
    public static let version = "agentmesh.checker/v1"

    struct Input: Encodable {
        struct Item: Encodable {
            var name: String
            var mediaType: String
            var content: String?
            var contentBase64: String?
            var sha256: String

            enum CodingKeys: String, CodingKey {
                case name, sha256, content
                case mediaType = "media_type"
                case contentBase64 = "content_base64"
            }
        }

        var contract = CheckerContract.version
        var role: String
        var taskID: String
        var planID: String
        var attempt: UInt32
        var state: String
        var summary: String
        var error: String
        var agentID: String
        var artifacts: [Item]

        enum CodingKeys: String, CodingKey {
            case contract, role, attempt, state, summary, error, artifacts
            case taskID = "task_id"
            case planID = "plan_id"
            case agentID = "agent_id"
        }
    }

    struct Output: Decodable {
        struct Item: Decodable {
            var ruleID: String?
            var severity: String?
            var message: String
            var location: String?

            enum CodingKeys: String, CodingKey {
                case severity, message, location
                case ruleID = "rule_id"
            }
        }

        var findings: [Item]
    }

    /// Stdin bytes for `result` of `role`.
    public static func inputJSON(_ result: TaskResult, role: String) -> [UInt8] {
        let input = Input(
            role: role, taskID: result.taskID, planID: result.planID, attempt: result.attempt,
            state: stateName(result.state), summary: result.summary, error: result.error, agentID: result.agentID,
            artifacts: result.artifacts.map { artifact in
                let text = String(validating: artifact.content, as: UTF8.self)
                return Input.Item(name: artifact.name, mediaType: artifact.mediaType, content: text,
                                  contentBase64: text == nil ? Data(artifact.content).base64EncodedString() : nil,
                                  sha256: SHA256Digest.hex(artifact.content))
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(input)) ?? Data())
    }

    static func stateName(_ state: TaskState) -> String {
        switch state {
        case .completed: "completed"
        case .failed: "failed"
        case .canceled: "canceled"
        case .rejected: "rejected"
        case .submitted: "submitted"
        case .working: "working"
        case .inputRequired: "input_required"
        default: "unspecified"
        }
    }

    static let severities: [String: Severity] = ["info": .info, "low": .low, "medium": .medium, "high": .high, "critical": .critical]
}

extension CheckerContract {
    /// Why a checker's (or a model's) findings JSON was not usable.
    public struct FindingsProblem: Error, Hashable, Sendable {
        public var message: String
    }

    /// The findings in a checker's output (`{"findings": [...]}`) as findings of `rule`: ids
    /// `rule/sub-id`, the rule's severity unless one is given, sorted by location. Shared by
    /// external checkers and model reviews, so both speak the same contract.
    public static func findings(in output: [UInt8], rule: ReviewRule) -> Result<[Finding], FindingsProblem> {
        let decoded: Output
        do {
            decoded = try JSONDecoder().decode(Output.self, from: Data(output))
        } catch {
            return .failure(FindingsProblem(message: "invalid findings JSON (\(DecodingText.describe(error)))"))
        }
        var findings: [Finding] = []
        for item in decoded.findings {
            var severity = rule.severity
            if let name = item.severity {
                guard let known = severities[name] else { return .failure(FindingsProblem(message: "unknown severity \"\(name)\"")) }
                severity = known
            }
            let id = item.ruleID.map { $0.isEmpty ? rule.id : "\(rule.id)/\($0)" } ?? rule.id
            findings.append(Finding(ruleID: id, severity: severity, message: item.message, location: item.location ?? ""))
        }
        findings.sort { ($0.location, $0.ruleID, $0.message) < ($1.location, $1.ruleID, $1.message) }
        return .success(findings)
    }
}
