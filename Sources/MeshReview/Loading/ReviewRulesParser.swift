import Foundation
import MeshProcess
import MeshRuleFiles
import MeshWire
import Yams

/// Parses one rule file (YAML text) into rules, strictly: unknown fields, wrong types and
/// unknown names are errors that point at the file, line, rule and field.
struct ReviewRulesParser {
    static let fileKeys: Set<String> = ["rules_version", "description", "rules"]
    static let commonKeys: Set<String> = ["id", "description", "kind", "roles", "severity", "on_match"]
    static let kindKeys: [String: Set<String>] = [
        "required_artifacts": ["require"],
        "max_artifact_size": ["max_bytes"],
        "max_total_size": ["max_bytes"],
        "forbidden_markers": ["markers", "case_sensitive", "artifacts", "media_types"],
        "code_without_tests": ["sources", "tests"],
        "empty_summary": [],
        "failed_result": [],
        "external_checker": ["command", "timeout", "failure_threshold", "cool_down", "on_failure"],
        "model_review": ["agent", "prompt", "findings_schema", "on_failure"],
    ]
    static let severities: [String: Severity] = ["info": .info, "low": .low, "medium": .medium, "high": .high, "critical": .critical]

    /// Display name of the file in errors and rule sources.
    let file: String
    /// Directory relative checker paths are resolved against.
    let baseDirectory: String

    func parse(_ yaml: String) throws -> (version: String, rules: [ReviewRule]) {
        var fields = YAMLFields(file: file)
        let root = try fields.compose(yaml, empty: "empty rule file")
        let top = try fields.mapping(root, field: nil)
        try fields.checkKeys(top, allowed: Self.fileKeys, at: root)
        let version = try fields.requiredString(top, "rules_version", in: root)
        guard !version.isEmpty else { throw fields.error(top["rules_version"], field: "rules_version", "must not be empty") }
        guard let list = top["rules"] else { throw fields.error(root, field: "rules", "missing required field") }
        guard case .sequence(let items) = list else { throw fields.error(list, field: "rules", "expected a list of rules") }
        var rules: [ReviewRule] = []
        var seen: Set<String> = []
        for item in items {
            fields.rule = nil
            let rule = try parseRule(item, fields: &fields)
            guard seen.insert(rule.id).inserted else { throw fields.error(item.mapping?["id"], field: "id", "duplicate rule id") }
            rules.append(rule)
        }
        return (version, rules)
    }

    private func parseRule(_ node: Node, fields: inout YAMLFields) throws -> ReviewRule {
        let map = try fields.mapping(node, field: "rules[]")
        let id = try fields.requiredString(map, "id", in: node)
        guard !id.isEmpty, id.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0) }) else {
            throw fields.error(map["id"], field: "id", "rule ids use lower-case letters, digits, '.', '_' and '-', got \"\(id)\"")
        }
        fields.rule = id
        let kindName = try fields.requiredString(map, "kind", in: node)
        guard let kindKeys = Self.kindKeys[kindName] else {
            throw fields.error(map["kind"], field: "kind", "unknown kind \"\(kindName)\"; known: \(Self.kindKeys.keys.sorted().joined(separator: ", "))")
        }
        try fields.checkKeys(map, allowed: Self.commonKeys.union(kindKeys), at: node)
        let description = try fields.requiredString(map, "description", in: node)
        let severityName = try fields.requiredString(map, "severity", in: node)
        guard let severity = Self.severities[severityName] else {
            throw fields.error(map["severity"], field: "severity", "unknown severity \"\(severityName)\"; known: info, low, medium, high, critical")
        }
        let onMatch = try decision(map, "on_match", in: node, fields: fields)
        return ReviewRule(id: id, description: description, roles: try fields.stringList(map, "roles") ?? [],
                          severity: severity, onMatch: onMatch, kind: try kind(kindName, map, node, fields: fields),
                          source: "\(file):\(node.mark?.line ?? 0)")
    }

    private func kind(_ name: String, _ map: Node.Mapping, _ node: Node, fields: YAMLFields) throws -> ReviewRuleKind {
        switch name {
        case "required_artifacts":
            guard case .sequence(let entries)? = map["require"], !entries.isEmpty else {
                throw fields.error(map["require"] ?? node, field: "require", "expected a non-empty list of {glob, media_type} entries")
            }
            return .requiredArtifacts(try entries.enumerated().map { index, entry in
                let field = "require[\(index)]"
                let entryMap = try fields.mapping(entry, field: field)
                for key in entryMap.keys where !["glob", "media_type"].contains(key.string ?? "") {
                    throw fields.error(key, field: "\(field).\(key.string ?? "")", "unknown field; allowed here: glob, media_type")
                }
                let glob = try fields.optionalString(entryMap, "glob")
                let mediaType = try fields.optionalString(entryMap, "media_type")
                guard glob != nil || mediaType != nil else { throw fields.error(entry, field: field, "needs glob or media_type") }
                return ArtifactSelector(globs: glob.map { [$0] } ?? [], mediaTypes: mediaType.map { [$0] } ?? [])
            })
        case "max_artifact_size":
            return .maxArtifactSize(bytes: try fields.size(map, "max_bytes", in: node))
        case "max_total_size":
            return .maxTotalSize(bytes: try fields.size(map, "max_bytes", in: node))
        case "forbidden_markers":
            let globs = try fields.stringList(map, "artifacts") ?? []
            let mediaTypes = try fields.stringList(map, "media_types") ?? []
            let scope = globs.isEmpty && mediaTypes.isEmpty ? nil : ArtifactSelector(globs: globs, mediaTypes: mediaTypes)
            return .forbiddenMarkers(markers: try fields.nonEmptyStringList(map, "markers", in: node),
                                     caseSensitive: try fields.bool(map, "case_sensitive", default: false), scope: scope)
        case "code_without_tests":
            return .codeWithoutTests(sources: try fields.nonEmptyStringList(map, "sources", in: node),
                                     tests: try fields.nonEmptyStringList(map, "tests", in: node))
        case "empty_summary":
            return .emptySummary
        case "failed_result":
            return .failedResult
        case "model_review":
            return .modelReview(try modelReview(map, node, fields: fields))
        default:
            return .externalChecker(try checker(map, node, fields: fields))
        }
    }

    private func checker(_ map: Node.Mapping, _ node: Node, fields: YAMLFields) throws -> ExternalCheckerSpec {
        var argv = try fields.nonEmptyStringList(map, "command", in: node)
        if argv[0].contains("/") && !argv[0].hasPrefix("/") {
            argv[0] = URL(fileURLWithPath: baseDirectory).appendingPathComponent(argv[0]).standardized.path
        }
        return ExternalCheckerSpec(
            command: ExternalCommand(argv: argv, workingDirectory: baseDirectory)!,
            timeout: try fields.duration(map, "timeout", default: .seconds(30)),
            failureThreshold: try fields.positiveInt(map, "failure_threshold", default: 3),
            coolDown: try fields.duration(map, "cool_down", default: .seconds(60)),
            onFailure: try onFailure(map, fields: fields))
    }

    private func modelReview(_ map: Node.Mapping, _ node: Node, fields: YAMLFields) throws -> ModelReviewSpec {
        func file(_ key: String) throws -> (path: String, text: String) {
            let name = try fields.requiredString(map, key, in: node)
            let path = name.hasPrefix("/") ? name : URL(fileURLWithPath: baseDirectory).appendingPathComponent(name).standardized.path
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw fields.error(map[key], field: key, "cannot read \(path)")
            }
            return (path, text)
        }
        let schema = try file("findings_schema")
        guard (try? JSONSerialization.jsonObject(with: Data(schema.text.utf8))) is [String: Any] else {
            throw fields.error(map["findings_schema"], field: "findings_schema", "\(schema.path) is not a JSON object (a JSON schema)")
        }
        let agent = try fields.requiredString(map, "agent", in: node)
        return ModelReviewSpec(
            agentFile: agent.hasPrefix("/") ? agent : URL(fileURLWithPath: baseDirectory).appendingPathComponent(agent).standardized.path,
            prompt: try file("prompt").text, findingsSchema: schema.text, onFailure: try onFailure(map, fields: fields))
    }

    private func onFailure(_ map: Node.Mapping, fields: YAMLFields) throws -> Decision? {
        guard let text = try fields.optionalString(map, "on_failure") else { return .requestChanges }
        switch text {
        case "ignore": return nil
        case "request_changes": return .requestChanges
        case "reject": return .reject
        default: throw fields.error(map["on_failure"], field: "on_failure", "expected request_changes, reject or ignore, got \"\(text)\"")
        }
    }

    private func decision(_ map: Node.Mapping, _ key: String, in node: Node, fields: YAMLFields) throws -> Decision {
        let text = try fields.requiredString(map, key, in: node)
        switch text {
        case "request_changes": return .requestChanges
        case "reject": return .reject
        default: throw fields.error(map[key], field: key, "expected request_changes or reject, got \"\(text)\"")
        }
    }
}
