import Foundation
import MeshSigning
import MeshWire

/// The JSON contract between a worker and an external handler program, `agentmesh.handler/v1`.
///
/// Any program (Python, a shell script, an LLM client) can be a handler. The full text is in
/// `HANDLER_CONTRACT.md` next to this file; in short:
///
/// **stdin** — one JSON object, then EOF:
/// ```json
/// {"contract":"agentmesh.handler/v1","task_id":"t-1","plan_id":"p-1","correlation_id":"obj-1",
///  "role":"coding","risk_class":"high","safety_class":"C","attempt":1,"instructions":"…",
///  "inputs":[{"name":"spec.md","media_type":"text/markdown","content":"…","sha256":"<hex>"}],
///  "feedback":[{"rule_id":"phi.ssn","severity":"high","message":"…","location":"a.swift:3:9"}],
///  "deadline":"2025-03-01T12:00:00Z"}
/// ```
/// Input content is `"content"` (UTF-8 text) or `"content_base64"` (any other bytes);
/// `"deadline"` is RFC 3339 UTC or `null`; `"risk_class"` (`low` … `critical`) and
/// `"safety_class"` (IEC 62304 `A`, `B`, `C`) are `null` when the plan gives none. Severities
/// are `info`, `low`, `medium`, `high`, `critical`.
///
/// **stdout** — one JSON object:
/// ```json
/// {"summary":"…","artifacts":[{"name":"Sources/A.swift","media_type":"text/x-swift","content":"…"}],
///  "attributes":{"model":"…"}}
/// ```
/// Each artifact has `"content"` or `"content_base64"` (exactly one). Any `"sha256"` a
/// handler prints is ignored: the runner hashes the content itself. Unknown keys are ignored.
///
/// **exit status** — 0 means completed; anything else means failed, with the stderr tail as the
/// error. Stdout that is not a JSON object of this shape fails the task ("handler printed
/// invalid JSON at byte N: …"); so does exceeding the timeout ("handler timed out after 30s").
public enum HandlerContract {
    /// Value of the `"contract"` member.
    public static let version = "agentmesh.handler/v1"

    /// The exact stdin bytes for `task`: compact JSON, members in contract order.
    public static func taskJSON(_ task: TaskAssigned, context: HandlerContext) -> [UInt8] {
        JSONWriter.bytes(taskValue(task, context: context))
    }

    static func taskValue(_ task: TaskAssigned, context: HandlerContext) -> JSONValue {
        .object([
            JSONMember("contract", .string(version)),
            JSONMember("task_id", .string(task.taskID)),
            JSONMember("plan_id", .string(task.planID)),
            JSONMember("correlation_id", .string(context.correlationID)),
            JSONMember("role", .string(task.role)),
            JSONMember("risk_class", context.classification.riskClassName.map(JSONValue.string) ?? .null),
            JSONMember("safety_class", context.classification.safetyClassName.map(JSONValue.string) ?? .null),
            JSONMember("attempt", .number(String(task.attempt))),
            JSONMember("instructions", .string(task.instructions)),
            JSONMember("inputs", .array(task.inputs.map(inputValue))),
            JSONMember("feedback", .array(task.feedback.map(feedbackValue))),
            JSONMember("deadline", task.deadlineUnixMicros > 0 ? .string(rfc3339(micros: task.deadlineUnixMicros)) : .null),
        ])
    }

    private static func inputValue(_ artifact: Artifact) -> JSONValue {
        var members = [JSONMember("name", .string(artifact.name)), JSONMember("media_type", .string(artifact.mediaType))]
        if let text = String(validating: artifact.content, as: UTF8.self) {
            members.append(JSONMember("content", .string(text)))
        } else {
            members.append(JSONMember("content_base64", .string(Data(artifact.content).base64EncodedString())))
        }
        members.append(JSONMember("sha256", .string(SHA256Digest.hex(artifact.content))))
        return .object(members)
    }

    private static func feedbackValue(_ finding: Finding) -> JSONValue {
        .object([
            JSONMember("rule_id", .string(finding.ruleID)),
            JSONMember("severity", .string(severityName(finding.severity))),
            JSONMember("message", .string(finding.message)),
            JSONMember("location", .string(finding.location)),
        ])
    }

    /// Lower-case contract name of a severity (`unspecified` for 0 and unknown numbers).
    public static func severityName(_ severity: Severity) -> String {
        switch severity {
        case .info: "info"
        case .low: "low"
        case .medium: "medium"
        case .high: "high"
        case .critical: "critical"
        default: "unspecified"
        }
    }

    /// `2025-03-01T12:00:00Z`, with a 6-digit fraction when the microseconds are not zero.
    static func rfc3339(micros: Int64) -> String {
        let seconds = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        let fraction = micros - seconds * 1_000_000
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var text = "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))"
            + "T\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))"
        if fraction != 0 { text += "." + pad(Int32(fraction), 6) }
        return text + "Z"
    }
}
