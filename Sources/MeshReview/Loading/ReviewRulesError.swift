/// A rule file that cannot be loaded, pointing at file, line, rule and field:
/// `Rules/review.yaml:14: rule "size.artifact": field "max_bytes": expected a size like 1048576 or 1MiB, got "big"`.
public struct ReviewRulesError: Error, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    /// 1-based line; 0 when unknown (unreadable file).
    public var line: Int
    public var rule: String?
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
