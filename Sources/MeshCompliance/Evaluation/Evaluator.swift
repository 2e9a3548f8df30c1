extension PolicyBundle {
    /// Evaluates every in-scope rule against the subject.
    ///
    /// Deterministic: findings are ordered record findings first (by rule id, then record path),
    /// then by artifact index, byte offset and rule id. The decision is the strongest
    /// `on_match` among rules with at least one (non-allow-listed) finding; `approve` otherwise
    /// (a matched `require_approval` rule leaves it at `approve` and is listed in
    /// `approvalRequiredBy`).
    /// Allow-listed matches and matches an exclusion recognises as a look-alike go to
    /// `suppressed` (the latter at severity info, naming the exclusion) and never decide.
    public func evaluate(_ subject: ComplianceSubject) -> ComplianceEvaluation {
        evaluate(subject, skippingDetectorsThatCannotMatch: true)
    }

    /// `evaluate(_:)`; with `false`, every detector scans every artifact (the reference the
    /// tests compare the skipping against).
    func evaluate(_ subject: ComplianceSubject, skippingDetectorsThatCannotMatch skip: Bool) -> ComplianceEvaluation {
        var findings: [Finding] = [], suppressed: [Finding] = []
        var decision = Decision.approve
        // Rules (sorted by id) that produced unsuppressed findings, by index: deciding and
        // approval-requiring ids are read from them at the end.
        var matchedRules: [Bool] = []

        // Rules are addressed by index and read field by field: copying a `PolicyRule` value
        // (a dozen reference-counted fields) per rule and artifact was a tenth of the
        // compliance worker's time.
        var textRules: [Int] = []
        textRules.reserveCapacity(rules.count)
        var recordFindings: [(key: SortKey, finding: Finding)] = []
        for index in rules.indices where rules[index].scope.applies(to: subject) {
            if textDetectors[index] != nil {
                textRules.append(index)
                continue
            }
            guard case .record(let d) = rules[index].detector else { continue }
            let ruleId = rules[index].id
            for (k, issue) in d.check(subject).enumerated() {
                let f = Finding(ruleId: ruleId, severity: rules[index].severity, message: issue.message, location: issue.location)
                recordFindings.append((SortKey(artifact: -1, offset: k, ruleId: ruleId), f))
                note(rule: index, &decision, &matchedRules)
            }
        }
        if !recordFindings.isEmpty {
            let order = recordFindings.indices.sorted { a, b in
                recordFindings[a].key < recordFindings[b].key
                    || (recordFindings[a].key == recordFindings[b].key && recordFindings[a].finding.message < recordFindings[b].finding.message)
            }
            findings = order.map { recordFindings[$0].finding }
        }

        var matches: [DetectorMatch] = []
        matches.reserveCapacity(16)
        // A match is kept as this light record until its artifact is done: the finding (a
        // dozen strings) is built once, in its final order, rather than built, sorted and copied.
        var kept: [PendingMatch] = [], excluded: [PendingMatch] = []
        for artifact in subject.artifacts {
            let applicable = mediaTypeScoped ? textRules.filter { rules[$0].scope.applies(toMediaType: artifact.mediaType) } : textRules
            if applicable.isEmpty { continue }
            // One pass over the content finds the bytes present and the word starts, and reads
            // the artifact's structure; a detector whose pattern needs a byte that is absent
            // cannot match and does not scan.
            let text = ScanText(bytes: Array(artifact.content.utf8), name: artifact.name, mediaType: artifact.mediaType)
            kept.removeAll(keepingCapacity: true)
            excluded.removeAll(keepingCapacity: true)
            for ruleIndex in applicable {
                guard let detector = textDetectors[ruleIndex] else { continue }
                if skip && !detector.canMatch(text.present) { continue }
                matches.removeAll(keepingCapacity: true)
                detector.scan(text, into: &matches)
                for m in matches {
                    let cls = m.identifierClass ?? rules[ruleIndex].identifierClass
                    let candidates = cls.map { exclusionsByClass[$0.position] } ?? []
                    let allowList = rules[ruleIndex].allowList
                    if candidates.isEmpty && allowList.isEmpty {
                        kept.append(PendingMatch(rule: ruleIndex, match: m, identifierClass: cls, exclusion: nil))
                        continue
                    }
                    let value = Array(text.bytes[m.start..<m.end])
                    let ruleId = rules[ruleIndex].id
                    if let exclusion = candidates.firstIndex(where: { $0.excludes(value, ruleId: ruleId) }) {
                        excluded.append(PendingMatch(rule: ruleIndex, match: m, identifierClass: cls, exclusion: candidates[exclusion].id))
                    } else if !allowList.isEmpty && allowList.contains(value) {
                        excluded.append(PendingMatch(rule: ruleIndex, match: m, identifierClass: cls, exclusion: nil))
                    } else {
                        kept.append(PendingMatch(rule: ruleIndex, match: m, identifierClass: cls, exclusion: nil))
                    }
                }
            }
            if kept.isEmpty && excluded.isEmpty { continue }
            // Rules are sorted by id, so rule indices order findings as their ids do; equal
            // places and rules are ordered by message.
            let keptOrder = kept.indices.sorted { a, b in
                let x = kept[a], y = kept[b]
                if x.match.start != y.match.start { return x.match.start < y.match.start }
                if x.rule != y.rule { return x.rule < y.rule }
                return Self.joined(x.match.kind, x.match.masked) < Self.joined(y.match.kind, y.match.masked)
            }
            let excludedOrder = excluded.indices.sorted { a, b in
                let x = excluded[a], y = excluded[b]
                return x.match.start < y.match.start || (x.match.start == y.match.start && x.rule < y.rule)
            }
            let lines = LineIndex(text)
            let locationPrefix = Array(artifact.name.utf8) + [0x3A]
            func finding(_ p: PendingMatch) -> Finding {
                let m = p.match
                let pos = lines.position(of: m.start)
                var f = Finding(
                    ruleId: rules[p.rule].id, severity: rules[p.rule].severity, message: Self.joined(m.kind, m.masked),
                    location: Self.location(locationPrefix, pos.line, pos.column), identifierClass: p.identifierClass, artifact: artifact.name,
                    start: lines.characterOffset(m.start), end: lines.characterOffset(m.end), line: pos.line, column: pos.column,
                    path: text.structure.field(containing: m.start, m.end)?.path, masked: m.masked)
                if let exclusion = p.exclusion {
                    f.severity = .info
                    f.excludedBy = exclusion
                }
                return f
            }
            findings.reserveCapacity(findings.count + kept.count)
            for k in keptOrder {
                findings.append(finding(kept[k]))
                note(rule: kept[k].rule, &decision, &matchedRules)
            }
            suppressed.reserveCapacity(suppressed.count + excluded.count)
            for k in excludedOrder { suppressed.append(finding(excluded[k])) }
        }

        var deciding: [String] = [], approval: [String] = []
        for (index, matched) in matchedRules.enumerated() where matched {
            if decision != .approve && rules[index].onMatch.decision == decision { deciding.append(rules[index].id) }
            if rules[index].onMatch == .requireApproval { approval.append(rules[index].id) }
        }
        return ComplianceEvaluation(decision: decision, findings: findings, decidingRuleIds: deciding,
                                    suppressed: suppressed, bundleHash: hash, approvalRequiredBy: approval)
    }

    /// Records that rule `index` has an unsuppressed finding.
    private func note(rule index: Int, _ decision: inout Decision, _ matchedRules: inout [Bool]) {
        if matchedRules.isEmpty { matchedRules = [Bool](repeating: false, count: rules.count) }
        matchedRules[index] = true
        if rules[index].onMatch.decision > decision { decision = rules[index].onMatch.decision }
    }
}

/// A detector match waiting for its artifact's findings to be built: the rule (by index), the
/// class, and the exclusion that suppressed it (`nil` with a suppressed match: allow-listed).
struct PendingMatch {
    var rule: Int
    var match: DetectorMatch
    var identifierClass: IdentifierClass?
    var exclusion: String?
}

extension PolicyBundle {
    /// `"\(a) \(b)"` in one allocation: every match, suppressed ones included, gets a message,
    /// and interpolation appended piece by piece (a third of the evaluator's own time).
    static func joined(_ a: String, _ b: String) -> String {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                String(unsafeUninitializedCapacity: x.count + 1 + y.count) { out in
                    _ = out.initialize(fromContentsOf: x)
                    out[x.count] = 0x20
                    _ = out[(x.count + 1)...].initialize(fromContentsOf: y)
                    return x.count + 1 + y.count
                }
            }
        }
    }

    /// `"<prefix><line>:<column>"` (the prefix is the artifact name and a colon) in one allocation.
    static func location(_ prefix: [UInt8], _ line: Int, _ column: Int) -> String {
        String(unsafeUninitializedCapacity: prefix.count + 41) { out in
            var k = out[..<prefix.count].initialize(fromContentsOf: prefix)
            func decimal(_ v: Int) {
                var digits = 1, rest = v / 10
                while rest > 0 { digits += 1; rest /= 10 }
                var x = v
                for d in stride(from: k + digits - 1, through: k, by: -1) {
                    out[d] = UInt8(0x30 + x % 10)
                    x /= 10
                }
                k += digits
            }
            decimal(line)
            out[k] = 0x3A
            k += 1
            decimal(column)
            return k
        }
    }
}

/// Total order of findings.
struct SortKey: Comparable {
    var artifact: Int
    var offset: Int
    var ruleId: String

    static func < (a: SortKey, b: SortKey) -> Bool {
        if a.artifact != b.artifact { return a.artifact < b.artifact }
        if a.artifact < 0 {  // record findings: by rule, then emission order
            if a.ruleId != b.ruleId { return a.ruleId < b.ruleId }
            return a.offset < b.offset
        }
        if a.offset != b.offset { return a.offset < b.offset }
        return a.ruleId < b.ruleId
    }
}
