import MeshCompliance

/// Data-loss prevention at the model boundary: the compliance detectors (the policy bundle
/// `meshctl scan` and mesh-compliance use) run over every text of a request before it leaves.
///
/// A live secret refuses the request. PHI goes as is to an endpoint declared `phi: allow`;
/// otherwise each distinct value is replaced by a stable placeholder (`[NAME-1]`, `[MRN-1]`),
/// the same one in every call of the task, and `restore(_:)` puts the values back in the
/// answer. The table of values lives in memory for one task only and is never recorded.
public struct EgressGuard: Sendable {
    public let bundle: PolicyBundle
    public let policy: PHIEgress
    /// The agent role, so role-scoped rules apply as they do to its results.
    public let role: String
    private var placeholderByValue: [String: String] = [:]
    private var valueByPlaceholder: [(placeholder: String, value: String)] = []
    private var distinct: [IdentifierClass: Int] = [:]

    public init(bundle: PolicyBundle, policy: PHIEgress, role: String) {
        self.bundle = bundle
        self.policy = policy
        self.role = role
    }

    /// Distinct values per class seen so far (masked, or sent as allowed): counts, never values.
    public var counts: [IdentifierClass: Int] { distinct }

    /// `texts` as they may be sent, or the refusal naming what was found (masked).
    public mutating func screen(_ texts: [String]) -> Result<[String], EgressRefusal> {
        let subject = ComplianceSubject(
            taskId: "egress", role: role, risk: .critical,
            artifacts: texts.enumerated().map { Artifact(name: "part-\($0.offset)", mediaType: "text/plain", content: $0.element) })
        let findings = bundle.evaluate(subject).findings
        if let secret = findings.first(where: { $0.identifierClass == .secret }) {
            return .failure(EgressRefusal(message: "egress guard: a live secret (\(secret.ruleId), \(secret.masked ?? "masked")) is in the prompt; no request was sent"))
        }
        var out: [String] = []
        for (index, text) in texts.enumerated() {
            let matches = findings.filter { $0.artifact == "part-\(index)" && $0.identifierClass != nil && $0.start != nil && $0.end != nil }
            out.append(apply(matches, to: text))
        }
        return .success(out)
    }

    /// `text` with every placeholder handed out so far replaced by its value.
    public func restore(_ text: String) -> String {
        guard !valueByPlaceholder.isEmpty, text.contains("[") else { return text }
        var restored = text
        for entry in valueByPlaceholder { restored = restored.replacingOccurrences(of: entry.placeholder, with: entry.value) }
        return restored
    }

    /// Masks (or, for `allow`, only counts) the matched ranges; overlapping matches of several
    /// rules are taken once, the earliest and then longest first.
    private mutating func apply(_ findings: [Finding], to text: String) -> String {
        let scalars = Array(text.unicodeScalars)
        let ordered = findings.sorted { ($0.start!, -$0.end!) < ($1.start!, -$1.end!) }
        var result = String.UnicodeScalarView()
        var cursor = 0
        for finding in ordered {
            let start = finding.start!, end = min(finding.end!, scalars.count)
            guard start >= cursor, start < end, let cls = finding.identifierClass else { continue }
            let value = String(String.UnicodeScalarView(scalars[start..<end]))
            let placeholder = placeholder(for: value, cls)
            result.append(contentsOf: scalars[cursor..<start])
            result.append(contentsOf: policy == .allow ? value.unicodeScalars : placeholder.unicodeScalars)
            cursor = end
        }
        result.append(contentsOf: scalars[cursor...])
        return String(result)
    }

    private mutating func placeholder(for value: String, _ cls: IdentifierClass) -> String {
        if let known = placeholderByValue[value] { return known }
        let number = (distinct[cls] ?? 0) + 1
        distinct[cls] = number
        let placeholder = "[\(cls.rawValue.uppercased().replacingOccurrences(of: "_", with: "-"))-\(number)]"
        placeholderByValue[value] = placeholder
        valueByPlaceholder.append((placeholder, value))
        return placeholder
    }
}

/// Why the egress guard stopped a request; holds no sensitive value.
public struct EgressRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
