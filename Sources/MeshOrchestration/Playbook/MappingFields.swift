import Yams

/// The fields of one YAML mapping, checked against the field names allowed there.
///
/// Unknown keys are reported on construction with the nearest known name as a hint, so a
/// typo such as `depend_on` is caught instead of silently dropping a dependency.
struct MappingFields {
    let subject: String
    /// Where the mapping starts, for "missing field" messages.
    let mark: Mark?
    private let issues: IssueList
    private var entries: [String: (key: Node, value: Node)] = [:]

    init(_ mapping: Node.Mapping, known: [String], subject: String, fieldPrefix: String = "", issues: IssueList) {
        self.subject = subject
        self.mark = mapping.mark
        self.issues = issues
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                issues.add(key.mark, subject, "keys must be plain words, e.g. `role: coding`")
                continue
            }
            guard known.contains(name) else {
                issues.add(key.mark, subject, field: fieldPrefix + name,
                           "unknown field" + Suggestion.hint(for: name, in: known))
                continue
            }
            if entries[name] != nil {
                issues.add(key.mark, subject, field: fieldPrefix + name, "field given twice")
                continue
            }
            entries[name] = (key, value)
        }
    }

    /// The value node of `name`, if present.
    subscript(_ name: String) -> Node? { entries[name]?.value }

    /// Where `name`'s key is written, falling back to the mapping start.
    func keyMark(_ name: String) -> Mark? { entries[name]?.key.mark ?? mark }
}

extension Node {
    /// The node's text when it is a non-empty scalar (`~`/`null` count as empty).
    var nonEmptyText: String? {
        guard let scalar = self.scalar else { return nil }
        if scalar.style == .plain, ["", "~", "null"].contains(scalar.string) { return nil }
        return scalar.string
    }

    /// A short description for "expected X, found Y" messages.
    var kindDescription: String {
        switch self {
        case .scalar(let scalar): return scalar.string.isEmpty ? "nothing" : "\"\(scalar.string)\""
        case .mapping: return "a map"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}
