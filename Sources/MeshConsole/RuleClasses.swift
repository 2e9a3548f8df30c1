import MeshCompliance

/// The identifier class each rule detects, from the policy bundle the console loaded (the same
/// packs `mesh-compliance` evaluates with). A finding names only its rule, and every rule has
/// one detector of one class, so the rule id is enough to tell the class.
public struct RuleClasses: Sendable {
    /// The hash of the bundle the classes come from; verdicts cite theirs, so a page can say
    /// when findings were judged under another bundle.
    public let bundleHash: String?
    private let classes: [String: String]

    public init(_ classes: [String: String], bundleHash: String? = nil) {
        self.classes = classes
        self.bundleHash = bundleHash
    }

    /// Record checks (e.g. an IEC 62304 trace) detect no identifier: their class is `record check`.
    public init(bundle: PolicyBundle) {
        self.init(Dictionary(uniqueKeysWithValues: bundle.rules.map { ($0.id, $0.identifierClass?.rawValue ?? Self.recordCheck) }),
                  bundleHash: bundle.hash)
    }

    static let recordCheck = "record check"
    /// A rule the loaded bundle does not have (another bundle's, or a reviewer's rule).
    static let unknown = "unknown"

    func of(_ rule: String) -> String { classes[rule] ?? Self.unknown }
}
