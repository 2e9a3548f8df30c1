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
        var keyed: [(key: SortKey, finding: Finding, outcome: RuleOutcome)] = []
        var suppressed: [(key: SortKey, finding: Finding)] = []

        // Rules are addressed by index and read field by field: copying a `PolicyRule` value
        // (a dozen reference-counted fields) per rule and artifact was a tenth of the
        // compliance worker's time.
        var textRules: [Int] = []
        for index in rules.indices where rules[index].scope.applies(to: subject) {
            if textDetectors[index] != nil {
                textRules.append(index)
                continue
            }
            guard case .record(let d) = rules[index].detector else { continue }
            let ruleId = rules[index].id
            for (k, issue) in d.check(subject).enumerated() {
                let f = Finding(ruleId: ruleId, severity: rules[index].severity, message: issue.message, location: issue.location)
                keyed.append((SortKey(artifact: -1, offset: k, ruleId: ruleId), f, rules[index].onMatch))
            }
        }

        var matches: [DetectorMatch] = []
        matches.reserveCapacity(16)
        for (index, artifact) in subject.artifacts.enumerated() {
            let applicable = textRules.filter { rules[$0].scope.applies(toMediaType: artifact.mediaType) }
            if applicable.isEmpty { continue }
            // One pass over the content finds the bytes present and the word starts, and reads
            // the artifact's structure; a detector whose pattern needs a byte that is absent
            // cannot match and does not scan.
            let text = ScanText(bytes: Array(artifact.content.utf8), name: artifact.name, mediaType: artifact.mediaType)
            var lines: LineIndex?
            let locationPrefix = Array(artifact.name.utf8) + [0x3A]
            for ruleIndex in applicable {
                guard let detector = textDetectors[ruleIndex] else { continue }
                if skip && !detector.canMatch(text.present) { continue }
                matches.removeAll(keepingCapacity: true)
                detector.scan(text, into: &matches)
                for m in matches {
                    if lines == nil { lines = LineIndex(text) }
                    let pos = lines!.position(of: m.start)
                    let ruleId = rules[ruleIndex].id
                    let cls = m.identifierClass ?? rules[ruleIndex].identifierClass
                    var f = Finding(
                        ruleId: ruleId, severity: rules[ruleIndex].severity, message: Self.joined(m.kind, m.masked),
                        location: Self.location(locationPrefix, pos.line, pos.column), identifierClass: cls, artifact: artifact.name,
                        start: text.characterOffset(m.start), end: text.characterOffset(m.end), line: pos.line, column: pos.column,
                        path: text.structure.field(containing: m.start, m.end)?.path, masked: m.masked)
                    let key = SortKey(artifact: index, offset: m.start, ruleId: ruleId)
                    let candidates = cls.map { exclusionsByClass[$0.position] } ?? []
                    let allowList = rules[ruleIndex].allowList
                    // The matched bytes are copied only when something will look at them.
                    let value = candidates.isEmpty && allowList.isEmpty ? [] : Array(text.bytes[m.start..<m.end])
                    if let exclusion = candidates.first(where: { $0.excludes(value, ruleId: ruleId) }) {
                        f.severity = .info
                        f.excludedBy = exclusion.id
                        suppressed.append((key, f))
                    } else if !allowList.isEmpty && allowList.contains(value) {
                        suppressed.append((key, f))
                    } else {
                        keyed.append((key, f, rules[ruleIndex].onMatch))
                    }
                }
            }
        }

        // Sort positions, not the findings themselves (a finding is a dozen fields to copy).
        let order = keyed.indices.sorted { a, b in
            keyed[a].key < keyed[b].key || (keyed[a].key == keyed[b].key && keyed[a].finding.message < keyed[b].finding.message)
        }
        let suppressedOrder = suppressed.indices.sorted { suppressed[$0].key < suppressed[$1].key }
        var decision = Decision.approve
        for k in keyed.indices where keyed[k].outcome.decision > decision { decision = keyed[k].outcome.decision }
        // Few distinct rules among many findings: a list checked against its last entry (keyed
        // entries come rule by rule) is cheaper than hashing every id into a set.
        var deciding: [String] = [], approval: [String] = []
        for k in keyed.indices {
            let ruleId = keyed[k].finding.ruleId
            if decision != .approve && keyed[k].outcome.decision == decision && deciding.last != ruleId && !deciding.contains(ruleId) {
                deciding.append(ruleId)
            }
            if keyed[k].outcome == .requireApproval && approval.last != ruleId && !approval.contains(ruleId) { approval.append(ruleId) }
        }
        let findings = order.map { keyed[$0].finding }
        let suppressedFindings = suppressedOrder.map { suppressed[$0].finding }
        return ComplianceEvaluation(decision: decision, findings: findings, decidingRuleIds: deciding.sorted(),
                                    suppressed: suppressedFindings, bundleHash: hash, approvalRequiredBy: approval.sorted())
    }
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
