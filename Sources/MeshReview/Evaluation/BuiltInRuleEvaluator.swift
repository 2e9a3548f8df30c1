import MeshWire

/// Evaluates the rule kinds that need no I/O. Pure: the same result always yields the same
/// findings in the same order (artifacts by name, then position).
enum BuiltInRuleEvaluator {
    /// Cap on findings of one marker rule; the rest are summarised in one extra finding.
    static let maxMarkerFindings = 100

    /// - Parameters:
    ///   - artifacts: The result's artifacts sorted by name (sorted once per result).
    ///   - scanner: The rule's marker scanner, made once when the rules load.
    static func evaluate(_ rule: ReviewRule, _ result: TaskResult, artifacts: [Artifact], scanner: MarkerScanner?) -> [Finding] {
        func finding(_ message: String, _ location: String = "") -> Finding {
            Finding(ruleID: rule.id, severity: rule.severity, message: message, location: location)
        }
        switch rule.kind {
        case .requiredArtifacts(let selectors):
            return selectors.filter { selector in !artifacts.contains(where: selector.matches) }
                .map { finding("missing required artifact: \($0)", "artifacts") }
        case .maxArtifactSize(let limit):
            return artifacts.filter { $0.content.count > limit }
                .map { finding("artifact is \(ByteCount.text($0.content.count)), over the limit of \(ByteCount.text(limit))", $0.name) }
        case .maxTotalSize(let limit):
            let total = artifacts.reduce(0) { $0 + $1.content.count }
            return total > limit ? [finding("artifacts total \(ByteCount.text(total)), over the limit of \(ByteCount.text(limit))", "artifacts")] : []
        case .forbiddenMarkers(let markers, let caseSensitive, let scope):
            let scanner = scanner ?? MarkerScanner(markers: markers, caseSensitive: caseSensitive)
            var findings = scanner.scan(result.summary).map { finding("forbidden marker \"\($0.marker)\"", "summary:\($0.line):\($0.column)") }
            for artifact in artifacts where scope?.matches(artifact) ?? true {
                guard let hits = scanner.scan(utf8: artifact.content) else { continue }  // not UTF-8 text
                findings += hits.map { finding("forbidden marker \"\($0.marker)\"", "\(artifact.name):\($0.line):\($0.column)") }
            }
            guard findings.count > maxMarkerFindings else { return findings }
            return Array(findings.prefix(maxMarkerFindings))
                + [finding("\(findings.count - maxMarkerFindings) more forbidden markers not listed", "artifacts")]
        case .codeWithoutTests(let sources, let tests):
            let isTest = { (artifact: Artifact) in tests.contains { Glob.matches($0, artifact.name) } }
            let sourceFiles = artifacts.filter { artifact in !isTest(artifact) && sources.contains { Glob.matches($0, artifact.name) } }
            guard !sourceFiles.isEmpty, !artifacts.contains(where: isTest) else { return [] }
            return [finding("\(sourceFiles.count) source file(s) (first: \(sourceFiles[0].name)) but no test file matching "
                            + tests.map { "\"\($0)\"" }.joined(separator: ", "), "artifacts")]
        case .emptySummary:
            return result.summary.allSatisfy(\.isWhitespace) ? [finding("summary is empty", "summary")] : []
        case .failedResult:
            guard result.state == .failed else { return [] }
            let reason = result.error.isEmpty ? "no error given" : result.error
            return [finding("task failed: \(reason)", "state")]
        case .externalChecker, .modelReview:
            return []
        }
    }
}

/// `1 MiB` for exact multiples of a binary unit, `1536 bytes` otherwise: exact either way.
enum ByteCount {
    static func text(_ count: Int) -> String {
        for (unit, size) in [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)] where count >= size && count % size == 0 {
            return "\(count / size) \(unit)"
        }
        return count == 1 ? "1 byte" : "\(count) bytes"
    }
}
