/// One problem in a playbook file, pointing at a line and a field.
public struct PlaybookIssue: Sendable, Hashable, CustomStringConvertible {
    /// File as named in messages, e.g. `Playbooks/feature.yaml`.
    public let file: String
    /// 1-based line; 0 when the problem concerns the whole file.
    public let line: Int
    /// 1-based column; 0 when unknown.
    public let column: Int
    /// What the problem is about: `playbook`, `task "implement"`, `task #3`.
    public let subject: String
    /// The field concerned (e.g. `role`, `approval.deadline`), if any.
    public let field: String?
    /// What is wrong, and what to do about it when there is advice.
    public let message: String

    /// Creates an issue.
    public init(file: String, line: Int, column: Int = 0, subject: String, field: String?, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.subject = subject
        self.field = field
        self.message = message
    }

    /// `Playbooks/feature.yaml:12:11: task "implement": field "role": unknown role "coder"; did you mean "coding"?`
    public var description: String {
        let position = column > 0 ? "\(file):\(line):\(column)" : "\(file):\(line)"
        if let field { return "\(position): \(subject): field \"\(field)\": \(message)" }
        return "\(position): \(subject): \(message)"
    }
}

/// Thrown when playbooks fail validation; lists every problem found, in file order.
public struct PlaybookError: Error, Sendable, Hashable, CustomStringConvertible {
    /// All problems, each naming file, line and field.
    public let issues: [PlaybookIssue]

    /// Creates the error.
    public init(issues: [PlaybookIssue]) { self.issues = issues }

    /// One issue per line.
    public var description: String {
        issues.map(\.description).joined(separator: "\n")
    }
}
