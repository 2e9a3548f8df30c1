// Problems found while loading a catalog, and the error that lists them.

/// How serious a catalog problem is.
public enum IssueSeverity: String, Sendable, Hashable {
    /// Stops the catalog from loading.
    case error
    /// Reported, but the catalog still loads.
    case warning
}

/// One problem in a catalog file, pointing at a line and a field.
public struct CatalogIssue: Sendable, Hashable, CustomStringConvertible {
    /// Error or warning.
    public let severity: IssueSeverity
    /// Where it is.
    public let location: SourceLocation
    /// What it concerns, e.g. `topic "mesh.results"`, `role "coding"`, `catalog`.
    public let subject: String
    /// The field concerned, if any.
    public let field: String?
    /// What is wrong.
    public let problem: String
    /// What to do about it, if there is advice.
    public let fix: String?

    /// Creates an issue.
    public init(
        _ severity: IssueSeverity, at location: SourceLocation, subject: String,
        field: String? = nil, problem: String, fix: String? = nil
    ) {
        self.severity = severity
        self.location = location
        self.subject = subject
        self.field = field
        self.problem = problem
        self.fix = fix
    }

    /// `Topics/mesh.yaml:14: topic "x": field "partitions": <problem>; <fix>`
    /// (warnings carry a `warning: ` prefix after the location).
    public var description: String {
        var text = "\(location): "
        if severity == .warning { text += "warning: " }
        text += subject
        if let field { text += ": field \"\(field)\"" }
        text += ": \(problem)"
        if let fix { text += "; \(fix)" }
        return text
    }
}

/// Thrown when a catalog has errors. Lists every problem found, not just the first.
public struct CatalogError: Error, Sendable, CustomStringConvertible {
    /// Every problem found, errors first, each group in file and line order.
    public let issues: [CatalogIssue]

    /// Only the errors.
    public var errors: [CatalogIssue] { issues.filter { $0.severity == .error } }

    /// A header line and one line per problem.
    public var description: String {
        let count = errors.count
        let header = "topic catalog has \(count) error\(count == 1 ? "" : "s"):"
        return ([header] + issues.map { "  " + $0.description }).joined(separator: "\n")
    }
}

/// Collects issues while parsing and validating.
final class IssueLog {
    private(set) var issues: [CatalogIssue] = []

    func error(
        _ location: SourceLocation, _ subject: String, field: String? = nil,
        _ problem: String, fix: String? = nil
    ) {
        issues.append(CatalogIssue(.error, at: location, subject: subject, field: field, problem: problem, fix: fix))
    }

    func warning(
        _ location: SourceLocation, _ subject: String, field: String? = nil,
        _ problem: String, fix: String? = nil
    ) {
        issues.append(CatalogIssue(.warning, at: location, subject: subject, field: field, problem: problem, fix: fix))
    }

    var hasErrors: Bool { issues.contains { $0.severity == .error } }

    /// Errors before warnings; within each, by file, then line, then insertion order.
    var sorted: [CatalogIssue] {
        issues.enumerated().sorted { a, b in
            let (x, y) = (a.element, b.element)
            if x.severity != y.severity { return x.severity == .error }
            if x.location.file != y.location.file { return x.location.file < y.location.file }
            if x.location.line != y.location.line { return x.location.line < y.location.line }
            return a.offset < b.offset
        }.map(\.element)
    }
}
