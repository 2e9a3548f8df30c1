import Yams

/// Collects the problems found while loading playbooks, in the order they are found.
final class IssueList {
    private(set) var issues: [PlaybookIssue] = []
    let file: String

    init(file: String) { self.file = file }

    /// Records a problem at `mark` (line 0 when the position is unknown).
    func add(_ mark: Mark?, _ subject: String, field: String? = nil, _ message: String) {
        issues.append(PlaybookIssue(file: file, line: mark?.line ?? 0, column: mark?.column ?? 0,
                                    subject: subject, field: field, message: message))
    }
}
