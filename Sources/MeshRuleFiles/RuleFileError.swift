/// A rule file (policy pack, review rules) that cannot be loaded, pointing at file, line, rule
/// and field:
/// `Policies/secrets.yaml:22: rule "aws-access-key": field "detector": unknown detector "aws_key"; known: …`.
public struct RuleFileError: Error, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    /// 1-based line; 0 when unknown (e.g. unreadable file).
    public var line: Int
    /// Rule id when the problem is inside a rule.
    public var rule: String?
    /// Field path, e.g. `detector`, `parameters.labels`, `scope.min_risk`.
    public var field: String?
    public var message: String

    public init(file: String, line: Int, rule: String? = nil, field: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.rule = rule
        self.field = field
        self.message = message
    }

    public var description: String {
        var text = "\(file):\(line):"
        if let rule { text += " rule \"\(rule)\":" }
        if let field { text += " field \"\(field)\":" }
        return text + " " + message
    }
}
