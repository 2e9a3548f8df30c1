import MeshAgentHandlers
import MeshWire

/// Fills the prompt templates of a definition with one task's values.
public enum PromptRenderer {
    /// The placeholders templates may use.
    public static let placeholders = ["role", "attempt", "instructions", "inputs", "feedback"]

    /// The first system turn and the first user turn for `task`.
    public static func render(_ templates: PromptTemplates, task: TaskAssigned, output: OutputMode) -> (system: String, user: String) {
        let values: [String: String] = [
            "role": task.role,
            "attempt": String(task.attempt),
            "instructions": task.instructions,
            "inputs": inputs(task.inputs),
            "feedback": feedback(task.feedback),
        ]
        return (fill(templates.system, values) + "\n\n" + AnswerContract.instructions(for: output),
                fill(templates.task, values))
    }

    /// Names inside `{{…}}` that are not placeholders (a typo would otherwise reach the model).
    public static func unknownPlaceholders(in template: String) -> [String] {
        var unknown: [String] = []
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if !placeholders.contains(name) { unknown.append(name) }
            rest = rest[close.upperBound...]
        }
        return unknown
    }

    static func fill(_ template: String, _ values: [String: String]) -> String {
        var text = template
        for (name, value) in values { text = text.replacingOccurrences(of: "{{\(name)}}", with: value) }
        return text
    }

    static func inputs(_ artifacts: [Artifact]) -> String {
        guard !artifacts.isEmpty else { return "(none)" }
        return artifacts.map { artifact in
            // Binary inputs are named, not sent: a model cannot use base64 of an image here.
            guard let text = String(validating: artifact.content, as: UTF8.self) else {
                return "### \(artifact.name) (\(artifact.mediaType), \(artifact.content.count) bytes, binary: not included)"
            }
            return "### \(artifact.name) (\(artifact.mediaType))\n```\n\(text)\n```"
        }.joined(separator: "\n\n")
    }

    static func feedback(_ findings: [Finding]) -> String {
        guard !findings.isEmpty else { return "(none: this is the first attempt)" }
        return findings.map { finding in
            let location = finding.location.isEmpty ? "" : " at \(finding.location)"
            return "- [\(HandlerContract.severityName(finding.severity))] \(finding.ruleID)\(location): \(finding.message)"
        }.joined(separator: "\n")
    }
}
