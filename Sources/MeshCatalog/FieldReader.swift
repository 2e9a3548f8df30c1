// Reads the fields of one YAML mapping with their line numbers, logging every problem.

import Yams

/// A value together with where it was written.
struct Located<Value> {
    let value: Value
    let location: SourceLocation
}

/// Typed, position-aware access to one YAML mapping (a role, a topic, the top level).
/// Unknown keys are reported once, on construction, with a "did you mean" hint.
struct FieldReader {
    let file: String
    let subject: String
    let location: SourceLocation
    let log: IssueLog
    private var entries: [String: (key: Node, value: Node)] = [:]
    /// Known fields that an unknown key was probably meant to be (already reported).
    private var misspelt: Set<String> = []

    init(_ mapping: Node.Mapping, file: String, subject: String, known: [String], log: IssueLog) {
        self.file = file
        self.subject = subject
        self.log = log
        self.location = FieldReader.location(of: mapping.mark, in: file)
        for (key, value) in mapping {
            let keyLocation = FieldReader.location(of: key.mark, in: file)
            guard case .scalar(let scalar) = key else {
                log.error(keyLocation, subject, "a key must be a plain word", fix: "use `field: value`")
                continue
            }
            let name = scalar.string
            guard known.contains(name) else {
                log.error(keyLocation, subject, field: name, "unknown field",
                          fix: Suggestions.didYouMean(name, in: known,
                                                      otherwise: "known fields: \(known.joined(separator: ", "))"))
                if let meant = Suggestions.closest(to: name, in: known) { misspelt.insert(meant) }
                continue
            }
            entries[name] = (key, value)
        }
    }

    static func location(of mark: Mark?, in file: String) -> SourceLocation {
        SourceLocation(file: file, line: mark?.line ?? 0, column: mark?.column ?? 0)
    }

    func location(of node: Node) -> SourceLocation { FieldReader.location(of: node.mark, in: file) }

    /// Where `field` is written, or where the mapping starts if it is absent.
    func fieldLocation(_ field: String) -> SourceLocation {
        entries[field].map { location(of: $0.key) } ?? location
    }

    func has(_ field: String) -> Bool { entries[field] != nil }

    /// The raw value node; logs a missing required field (unless a misspelling of it was reported).
    func node(_ field: String, required: Bool, example: String) -> Node? {
        if let entry = entries[field] { return entry.value }
        if required, entries[field] == nil, !misspelt.contains(field) {
            log.error(location, subject, field: field, "missing required field", fix: "add `\(field): \(example)`")
        }
        return nil
    }

    /// A text value.
    func string(_ field: String, required: Bool = true, example: String = "<text>") -> Located<String>? {
        guard let value = node(field, required: required, example: example) else { return nil }
        return text(value, field: field, example: example)
    }

    /// A text value from a node that should hold one (a field value or a list item).
    func text(_ value: Node, field: String, example: String = "<text>") -> Located<String>? {
        let at = location(of: value)
        guard case .scalar(let scalar) = value else {
            log.error(at, subject, field: field, "expected text, found \(FieldReader.describe(value))",
                      fix: "write e.g. `\(field): \(example)`")
            return nil
        }
        if scalar.style == .plain, scalar.string.isEmpty || scalar.string == "~" || scalar.string == "null" {
            log.error(at, subject, field: field, "is empty", fix: "write e.g. `\(field): \(example)`")
            return nil
        }
        return Located(value: scalar.string, location: at)
    }

    /// An integer value; quoted numbers and words are reported as wrong types.
    func int(_ field: String, required: Bool = true, example: String = "12") -> Located<Int>? {
        guard let value = node(field, required: required, example: example) else { return nil }
        let at = location(of: value)
        guard case .scalar(let scalar) = value, scalar.style == .plain, let number = Int(scalar.string) else {
            let quoted: Bool
            if case .scalar(let s) = value, s.style != .plain, Int(s.string) != nil { quoted = true } else { quoted = false }
            log.error(at, subject, field: field, "expected an integer, found \(FieldReader.describe(value))",
                      fix: quoted ? "remove the quotes" : "write e.g. `\(field): \(example)`")
            return nil
        }
        return Located(value: number, location: at)
    }

    /// A boolean value (`true` / `false`).
    func bool(_ field: String) -> Located<Bool>? {
        guard let value = node(field, required: false, example: "true") else { return nil }
        let at = location(of: value)
        guard case .scalar(let scalar) = value, scalar.style == .plain,
              let flag = ["true": true, "false": false][scalar.string] else {
            log.error(at, subject, field: field, "expected true or false, found \(FieldReader.describe(value))",
                      fix: "write `\(field): true`")
            return nil
        }
        return Located(value: flag, location: at)
    }

    /// A list of text values (block or flow style). A single scalar is reported as a wrong type.
    func stringList(_ value: Node, field: String, example: String) -> [Located<String>]? {
        guard case .sequence(let items) = value else {
            log.error(location(of: value), subject, field: field, "expected a list, found \(FieldReader.describe(value))",
                      fix: "write e.g. `\(field): [\(example)]`")
            return nil
        }
        return items.compactMap { text($0, field: field, example: example) }
    }

    /// A map of text keys to scalar values (numbers and booleans are kept as written).
    func stringMap(_ field: String) -> [(key: Located<String>, value: Located<String>)]? {
        guard let value = node(field, required: false, example: "{}") else { return nil }
        guard case .mapping(let pairs) = value else {
            log.error(location(of: value), subject, field: field, "expected a map, found \(FieldReader.describe(value))",
                      fix: "write e.g. `\(field): {min.insync.replicas: \"2\"}`")
            return nil
        }
        var result: [(key: Located<String>, value: Located<String>)] = []
        for (k, v) in pairs {
            guard let key = text(k, field: field, example: "name"),
                  case .scalar(let scalar) = v else {
                if case .scalar = k {
                    log.error(location(of: v), subject, field: field,
                              "value of \"\(k.string ?? "")\" must be text, found \(FieldReader.describe(v))",
                              fix: "quote it, e.g. `\"2\"`")
                }
                continue
            }
            result.append((key, Located(value: scalar.string, location: location(of: v))))
        }
        return result
    }

    /// A short description of what a node is, for "expected X, found Y".
    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let s):
            if s.style == .plain && s.string.isEmpty { return "nothing" }
            return s.style == .plain ? "\"\(s.string)\"" : "the quoted text \"\(s.string)\""
        case .mapping: return "a map"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}
