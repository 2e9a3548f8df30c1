import MeshWire

/// Renders task instructions for one objective by simple `{{name}}` substitution.
///
/// Placeholders: `{{title}}`, `{{description}}`, `{{objective_id}}`, `{{submitted_by}}`,
/// `{{playbook}}` and `{{parameters.<key>}}` (an `ObjectiveSubmitted.parameters` entry).
/// Whitespace inside the braces is allowed. A parameter the objective does not carry
/// renders as the empty string. Unknown placeholder names are rejected when the playbook
/// loads, so rendering itself never fails.
public enum InstructionTemplate {
    /// Placeholder names other than `parameters.<key>`.
    public static let fields = ["title", "description", "objective_id", "submitted_by", "playbook"]

    /// A `{{...}}` occurrence: its name (trimmed) and the range it covers.
    struct Placeholder {
        let name: String
        let range: Range<String.Index>
    }

    /// `text` with every placeholder replaced by its value for `objective`.
    public static func render(_ text: String, for objective: ObjectiveSubmitted) -> String {
        var output = ""
        var cursor = text.startIndex
        for placeholder in placeholders(in: text) {
            output += text[cursor..<placeholder.range.lowerBound]
            output += value(of: placeholder.name, in: objective)
            cursor = placeholder.range.upperBound
        }
        output += text[cursor...]
        return output
    }

    /// Why `name` is not a valid placeholder, or `nil` if it is.
    static func problem(with name: String) -> String? {
        if name.hasPrefix("parameters.") {
            let key = name.dropFirst("parameters.".count)
            return key.isEmpty ? "placeholder {{parameters.}} names no parameter" : nil
        }
        if fields.contains(name) { return nil }
        return "unknown placeholder {{\(name)}}"
            + Suggestion.hint(for: name, in: fields + ["parameters.<key>"])
    }

    /// Placeholders in order of appearance; an unclosed `{{` is left as text. Scans the
    /// UTF-8 bytes (runs for every task of every plan; Foundation's `range(of:)` was a
    /// visible share of the orchestrator's time).
    static func placeholders(in text: String) -> [Placeholder] {
        var found: [Placeholder] = []
        let utf8 = text.utf8
        var searchStart = utf8.startIndex
        while let open = pair(UInt8(ascii: "{"), in: utf8, from: searchStart),
              let close = pair(UInt8(ascii: "}"), in: utf8, from: open.upperBound) {
            let name = text[open.upperBound..<close.lowerBound].trimmingSpaces()
            found.append(Placeholder(name: name, range: open.lowerBound..<close.upperBound))
            searchStart = close.upperBound
        }
        return found
    }

    /// The first two consecutive `byte`s at or after `start`.
    private static func pair(_ byte: UInt8, in utf8: String.UTF8View, from start: String.Index) -> Range<String.Index>? {
        var index = start
        while index < utf8.endIndex {
            let next = utf8.index(after: index)
            if utf8[index] == byte, next < utf8.endIndex, utf8[next] == byte { return index..<utf8.index(after: next) }
            index = next
        }
        return nil
    }

    private static func value(of name: String, in objective: ObjectiveSubmitted) -> String {
        switch name {
        case "title": return objective.title
        case "description": return objective.description
        case "objective_id": return objective.objectiveID
        case "submitted_by": return objective.submittedBy
        case "playbook": return objective.playbook
        default:
            guard name.hasPrefix("parameters.") else { return "" }
            return objective.parameters[key: String(name.dropFirst("parameters.".count))] ?? ""
        }
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
