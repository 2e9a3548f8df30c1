import Foundation

/// What `meshctl scan` prints: one evaluation of files outside the mesh, rendered for people,
/// for scripts (JSON) or for code-scanning UIs (SARIF 2.1.0). Pure: the files are read by
/// the caller; the evaluation is the same `PolicyBundle.evaluate` the compliance worker runs.
public struct ScanReport: Sendable {
    public var evaluation: ComplianceEvaluation
    /// Rules of the bundle, for SARIF rule metadata.
    public var rules: [(id: String, description: String, severity: Severity, identifierClass: IdentifierClass?)]
    /// Artifacts scanned (names as given), and the structure problems met in each.
    public var artifacts: [String]
    public var structureErrors: [(artifact: String, error: StructureError)]

    public init(bundle: PolicyBundle, subject: ComplianceSubject) {
        evaluation = bundle.evaluate(subject)
        rules = bundle.rules.map { ($0.id, $0.description, $0.severity, $0.identifierClass) }
        rejecting = Set(bundle.rules.filter { $0.onMatch == .reject }.map(\.id))
        artifacts = subject.artifacts.map(\.name)
        structureErrors = subject.artifacts.flatMap { a in
            ScanText(a.content, name: a.name, mediaType: a.mediaType).structure.errors.map { (a.name, $0) }
        }
    }

    /// Process exit code for the decision: 0 approve, 1 request changes, 2 reject.
    public var exitCode: Int32 {
        switch evaluation.decision {
        case .approve: return 0
        case .requestChanges: return 1
        case .reject: return 2
        }
    }

    /// Subject for files scanned outside the mesh: no signatures or approvals (record checks
    /// that need them are out of scope unless `risk`/`safetyClass` bring them in).
    public static func subject(artifacts: [Artifact], role: String, risk: RiskClass, safetyClass: SafetyClass?) -> ComplianceSubject {
        ComplianceSubject(taskId: "scan", role: role, risk: risk, safetyClass: safetyClass, artifacts: artifacts)
    }

    // MARK: human

    /// One line per finding, suppressed look-alikes when `verbose`, then the verdict.
    public func human(verbose: Bool) -> String {
        var out = ""
        for f in evaluation.findings { out += f.description + "\n" }
        if verbose {
            for f in evaluation.suppressed { out += "suppressed " + f.description + "\n" }
            for (artifact, error) in structureErrors { out += "\(artifact): structure: \(error) (scanned as text)\n" }
        }
        let deciding = evaluation.decidingRuleIds.isEmpty ? "" : " by \(evaluation.decidingRuleIds.joined(separator: ", "))"
        let approval = evaluation.approvalRequiredBy.isEmpty ? "" : "; human approval required by \(evaluation.approvalRequiredBy.joined(separator: ", "))"
        out += "\(evaluation.decision.rawValue)\(deciding)\(approval): \(evaluation.findings.count) finding(s), "
            + "\(evaluation.suppressed.count) suppressed, \(artifacts.count) file(s); policy bundle \(evaluation.bundleHash)\n"
        return out
    }

    // MARK: JSON

    public func json() throws -> String {
        struct Body: Encodable {
            var decision: Decision
            var decidingRuleIds: [String]
            var approvalRequiredBy: [String]
            var bundleHash: String
            var files: [String]
            var findings: [Finding]
            var suppressed: [Finding]
            var structureErrors: [StructureErrorBody]
        }
        struct StructureErrorBody: Encodable {
            var artifact: String, format: String, line: Int, column: Int, field: String?, message: String
        }
        let body = Body(
            decision: evaluation.decision, decidingRuleIds: evaluation.decidingRuleIds, approvalRequiredBy: evaluation.approvalRequiredBy,
            bundleHash: evaluation.bundleHash, files: artifacts, findings: evaluation.findings, suppressed: evaluation.suppressed,
            structureErrors: structureErrors.map {
                StructureErrorBody(artifact: $0.artifact, format: $0.error.format.rawValue, line: $0.error.line, column: $0.error.column,
                                   field: $0.error.field, message: $0.error.message)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(body), as: UTF8.self)
    }

    // MARK: SARIF 2.1.0

    /// A SARIF 2.1.0 log with one run: the bundle's rules, one result per finding (level
    /// `error` for rules that reject, `warning` otherwise) and one per suppressed match
    /// (level `note`, with a SARIF suppression naming the exclusion or allow-list).
    public func sarif(toolVersion: String) throws -> String {
        var results: [[String: Any]] = []
        func result(_ f: Finding, suppressed: Bool) -> [String: Any] {
            var region: [String: Any] = [:]
            if let line = f.line { region["startLine"] = line }
            if let column = f.column { region["startColumn"] = column }
            if let start = f.start, let end = f.end { region["charOffset"] = start; region["charLength"] = end - start }
            var location: [String: Any] = [:]
            if let artifact = f.artifact {
                location["physicalLocation"] = ["artifactLocation": ["uri": artifact], "region": region]
            }
            if let path = f.path { location["logicalLocations"] = [["fullyQualifiedName": path, "kind": "member"]] }
            var r: [String: Any] = [
                "ruleId": f.ruleId,
                "level": suppressed ? "note" : (level(of: f.ruleId)),
                "message": ["text": f.message + (f.identifierClass.map { " [\($0.label)]" } ?? "")],
                "properties": ["severity": f.severity.rawValue, "class": f.identifierClass?.rawValue ?? "",
                               "safeHarbor": f.identifierClass?.safeHarborLetter ?? ""],
            ]
            if !location.isEmpty { r["locations"] = [location] } else {
                r["locations"] = [["logicalLocations": [["fullyQualifiedName": f.location, "kind": "member"]]]]
            }
            if suppressed {
                r["suppressions"] = [["kind": "external", "justification": f.excludedBy.map { "excluded by \($0)" } ?? "rule allow-list"]]
            }
            return r
        }
        for f in evaluation.findings { results.append(result(f, suppressed: false)) }
        for f in evaluation.suppressed { results.append(result(f, suppressed: true)) }
        let driverRules: [[String: Any]] = rules.map { r in
            ["id": r.id, "shortDescription": ["text": r.description.isEmpty ? r.id : r.description],
             "defaultConfiguration": ["level": level(of: r.id)],
             "properties": ["severity": r.severity.rawValue, "class": r.identifierClass?.rawValue ?? ""]]
        }
        let log: [String: Any] = [
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [[
                "tool": ["driver": ["name": "agentmesh-compliance", "version": toolVersion, "rules": driverRules]],
                "artifacts": artifacts.map { ["location": ["uri": $0]] },
                "results": results,
                "properties": ["decision": evaluation.decision.rawValue, "decidingRuleIds": evaluation.decidingRuleIds,
                               "approvalRequiredBy": evaluation.approvalRequiredBy, "policyBundleHash": evaluation.bundleHash],
            ]],
        ]
        let data = try JSONSerialization.data(withJSONObject: log, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    private func level(of ruleId: String) -> String {
        rejecting.contains(ruleId) ? "error" : "warning"
    }

    /// Ids of rules whose match rejects (SARIF `error`).
    public var rejecting: Set<String>
}

/// Media types from file names, for artifacts read from disk (the mesh's artifacts carry
/// their own).
public enum MediaTypes {
    public static func guess(fileName: String) -> String {
        let lower = fileName.lowercased()
        let base = lower.split(separator: "/").last.map(String.init) ?? lower
        if base == ".env" || base.hasPrefix(".env.") || base.hasSuffix(".env") { return "text/x-env" }
        guard let dot = base.lastIndex(of: ".") else { return "text/plain" }
        switch base[base.index(after: dot)...] {
        case "json", "ndjson": return base.contains("fhir") ? "application/fhir+json" : "application/json"
        case "yaml", "yml": return "application/yaml"
        case "toml": return "application/toml"
        case "properties", "ini", "cfg", "conf": return "text/x-properties"
        case "csv": return "text/csv"
        case "tsv": return "text/tab-separated-values"
        case "sql": return "application/sql"
        case "hl7": return "x-application/hl7-v2+er7"
        case "md", "markdown": return "text/markdown"
        case "log": return "text/x-log"
        case "swift": return "text/x-swift"
        case "py": return "text/x-python"
        case "js", "mjs", "ts": return "text/javascript"
        case "java", "kt", "go", "rs", "c", "h", "cpp", "cs", "rb", "sh": return "text/x-source"
        case "xml": return "application/xml"
        case "note": return "text/x-clinical-note"
        default: return "text/plain"
        }
    }
}
