import Foundation
import MeshSigning
import MeshWire
import Yams

/// An objective as written by a person in `Objectives/*.yaml`, before it becomes an
/// `ObjectiveSubmitted` payload.
///
/// ```yaml
/// id: 0193-…               # optional; default: a fresh UUIDv7 (also the correlation id)
/// title: Add consent banner # required, one line
/// description: |            # optional, free text
///   …
/// playbook: feature         # required: name of a playbook in Playbooks/
/// parameters:               # optional map of plain values (strings, numbers, booleans)
///   component: intake
/// inputs:                   # optional artifacts handed to the starting tasks
///   - name: notes.md        # required, unique
///     media_type: text/markdown   # optional, default text/plain
///     content: |            # exactly one of content (inline text) or
///       …
///     file: notes.md        #   file (path relative to the objective file)
/// ```
struct ObjectiveFile: Sendable, Equatable {
    var path: String
    var id: String?
    var title: String
    var description: String
    var playbook: String
    var parameters: [Attribute]
    var inputs: [Artifact]

    static let fields = ["id", "title", "description", "playbook", "parameters", "inputs"]
    static let inputFields = ["name", "media_type", "content", "file"]

    /// The payload for this file, with `objectiveID` as objective and correlation id.
    func payload(objectiveID: String, submittedBy: String) -> ObjectiveSubmitted {
        ObjectiveSubmitted(objectiveID: objectiveID, title: title, description: description, playbook: playbook,
                           submittedBy: submittedBy, parameters: parameters, inputs: inputs)
    }

    /// Loads and checks `path`; every problem is reported at once, each with file, line and field.
    static func load(path: String) throws -> ObjectiveFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ObjectiveFileError(issues: [ObjectiveFileIssue(file: path, line: 0, column: 0, field: nil,
                                                                 message: "cannot read the file")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ObjectiveFileError(issues: [ObjectiveFileIssue(file: path, line: 0, column: 0, field: nil,
                                                                 message: "not UTF-8 text")])
        }
        return try parse(text, path: path)
    }

    static func parse(_ text: String, path: String) throws -> ObjectiveFile {
        var parser = ObjectiveFileParser(file: path)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            parser.issue(error.mark, nil, "not valid YAML: \(error.problemText)")
            throw ObjectiveFileError(issues: parser.issues)
        }
        guard let root, let mapping = root.mapping else {
            parser.issue(root?.mark, nil, "expected a map with title, playbook, … (see Objectives/README.md)")
            throw ObjectiveFileError(issues: parser.issues)
        }
        let objective = parser.objective(mapping, rootMark: root.mark)
        guard parser.issues.isEmpty, let objective else { throw ObjectiveFileError(issues: parser.issues) }
        return objective
    }
}

/// One problem in an objective file.
struct ObjectiveFileIssue: Sendable, Equatable, CustomStringConvertible {
    var file: String
    var line: Int
    var column: Int
    var field: String?
    var message: String

    var description: String {
        let place = line > 0 ? "\(file):\(line):\(column)" : file
        return field.map { "\(place): field \"\($0)\": \(message)" } ?? "\(place): \(message)"
    }
}

struct ObjectiveFileError: Error, CustomStringConvertible {
    var issues: [ObjectiveFileIssue]
    var description: String {
        (["objective file has \(issues.count) problem\(issues.count == 1 ? "" : "s"):"]
            + issues.map { "  \($0)" }).joined(separator: "\n")
    }
}

private struct ObjectiveFileParser {
    let file: String
    var issues: [ObjectiveFileIssue] = []

    init(file: String) { self.file = file }

    mutating func issue(_ mark: Mark?, _ field: String?, _ message: String) {
        issues.append(ObjectiveFileIssue(file: file, line: mark?.line ?? 0, column: mark?.column ?? 0,
                                         field: field, message: message))
    }

    /// Entries of a mapping by name, reporting unknown or repeated keys.
    mutating func fields(_ mapping: Node.Mapping, known: [String], prefix: String) -> [String: (key: Node, value: Node)] {
        var result: [String: (key: Node, value: Node)] = [:]
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                issue(key.mark, nil, "keys must be plain words, e.g. `title: …`")
                continue
            }
            guard known.contains(name) else {
                let hint = nearest(name, in: known).map { "; did you mean \"\($0)\"?" } ?? "; known: \(known.joined(separator: ", "))"
                issue(key.mark, prefix + name, "unknown field" + hint)
                continue
            }
            guard result[name] == nil else {
                issue(key.mark, prefix + name, "field given twice")
                continue
            }
            result[name] = (key, value)
        }
        return result
    }

    /// A scalar's text; reports non-scalars. Empty and `~`/`null` count as missing when `required`.
    mutating func text(_ node: Node?, field: String, required: Bool, at fallback: Mark?) -> String? {
        guard let node else {
            if required { issue(fallback, field, "missing; it is required") }
            return nil
        }
        guard let scalar = node.scalar else {
            issue(node.mark, field, "expected text, found \(describe(node))")
            return nil
        }
        let isNull = scalar.style == .plain && ["", "~", "null"].contains(scalar.string)
        if isNull || scalar.string.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            if required { issue(node.mark, field, "must not be empty") }
            return nil
        }
        return scalar.string
    }

    mutating func objective(_ mapping: Node.Mapping, rootMark: Mark?) -> ObjectiveFile? {
        let entries = fields(mapping, known: ObjectiveFile.fields, prefix: "")
        let id = text(entries["id"]?.value, field: "id", required: false, at: rootMark)
        if let id, let node = entries["id"]?.value, !Self.isIdentifier(id) {
            issue(node.mark, "id", "\"\(id)\" is not a usable id: use letters, digits, '-', '_', '.' (at most 128)")
        }
        let title = text(entries["title"]?.value, field: "title", required: true, at: rootMark)
        if let title, title.contains("\n"), let node = entries["title"]?.value {
            issue(node.mark, "title", "must be one line; put details in description")
        }
        let description = text(entries["description"]?.value, field: "description", required: false, at: rootMark)
        let playbook = text(entries["playbook"]?.value, field: "playbook", required: true, at: rootMark)
        if let playbook, let node = entries["playbook"]?.value, !Self.isIdentifier(playbook) {
            issue(node.mark, "playbook", "\"\(playbook)\" is not a playbook name (letters, digits, '-', '_', '.')")
        }
        let parameters = parameterList(entries["parameters"]?.value)
        let inputs = inputList(entries["inputs"]?.value)
        guard let title, let playbook else { return nil }
        return ObjectiveFile(path: file, id: id, title: title, description: description ?? "", playbook: playbook,
                             parameters: parameters, inputs: inputs)
    }

    mutating func parameterList(_ node: Node?) -> [Attribute] {
        guard let node else { return [] }
        if node.scalar.map({ $0.style == .plain && ["", "~", "null"].contains($0.string) }) == true { return [] }
        guard let mapping = node.mapping else {
            issue(node.mark, "parameters", "expected a map of name: value, found \(describe(node))")
            return []
        }
        var seen = Set<String>()
        var result: [Attribute] = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string, !name.isEmpty else {
                issue(key.mark, "parameters", "parameter names must be plain words")
                continue
            }
            guard seen.insert(name).inserted else {
                issue(key.mark, "parameters.\(name)", "parameter given twice")
                continue
            }
            guard let scalar = value.scalar else {
                issue(value.mark, "parameters.\(name)", "expected a plain value (text, number, true/false), found \(describe(value))")
                continue
            }
            result.append(Attribute(name, scalar.string))
        }
        return result
    }

    mutating func inputList(_ node: Node?) -> [Artifact] {
        guard let node else { return [] }
        if node.scalar.map({ $0.style == .plain && ["", "~", "null"].contains($0.string) }) == true { return [] }
        guard let sequence = node.sequence else {
            issue(node.mark, "inputs", "expected a list of inputs (- name: …), found \(describe(node))")
            return []
        }
        var names = Set<String>()
        var result: [Artifact] = []
        for (index, item) in sequence.enumerated() {
            let prefix = "inputs[\(index)]."
            guard let mapping = item.mapping else {
                issue(item.mark, "inputs[\(index)]", "expected a map with name and content, found \(describe(item))")
                continue
            }
            let entries = fields(mapping, known: ObjectiveFile.inputFields, prefix: prefix)
            let name = text(entries["name"]?.value, field: prefix + "name", required: true, at: item.mark)
            if let name, !names.insert(name).inserted, let at = entries["name"]?.value.mark {
                issue(at, prefix + "name", "another input is already named \"\(name)\"")
            }
            let mediaType = text(entries["media_type"]?.value, field: prefix + "media_type", required: false, at: item.mark)
            var content: [UInt8]?
            switch (entries["content"], entries["file"]) {
            case (nil, nil):
                issue(item.mark, prefix + "content", "missing; give the text in content, or a path in file")
            case (.some(let given), .some):
                issue(given.key.mark, prefix + "content", "give either content or file, not both")
            case (.some(let given), nil):
                if let scalar = given.value.scalar {
                    content = Array(scalar.string.utf8)
                } else {
                    issue(given.value.mark, prefix + "content", "expected text, found \(describe(given.value))")
                }
            case (nil, .some(let given)):
                if let relative = text(given.value, field: prefix + "file", required: true, at: given.key.mark) {
                    let base = URL(fileURLWithPath: file).deletingLastPathComponent()
                    let url = relative.hasPrefix("/") ? URL(fileURLWithPath: relative) : base.appendingPathComponent(relative)
                    if let data = FileManager.default.contents(atPath: url.path) {
                        content = Array(data)
                    } else {
                        issue(given.value.mark, prefix + "file", "cannot read \(url.path)")
                    }
                }
            }
            if let name, let content {
                result.append(Artifact(name: name, mediaType: mediaType ?? "text/plain", content: content,
                                       sha256: SHA256Digest.hash(content)))
            }
        }
        return result
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return scalar.string.isEmpty ? "nothing" : "\"\(scalar.string)\""
        case .mapping: return "a map"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    static func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.count <= 128
            && text.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-_.".unicodeScalars.contains($0) }
    }

    /// The known name closest to `name` (edit distance at most 2), for "did you mean" hints.
    func nearest(_ name: String, in known: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var previous = Array(0...b.count)
            for (i, x) in a.enumerated() {
                var current = [i + 1]
                for (j, y) in b.enumerated() {
                    current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
                }
                previous = current
            }
            return previous[b.count]
        }
        let scored = known.map { ($0, distance(Array(name), Array($0))) }.filter { $0.1 <= 2 }
        return scored.min { $0.1 < $1.1 }?.0
    }
}

extension YamlError {
    /// Where libyaml stopped, if it says.
    var mark: Mark? {
        switch self {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark
        default: return nil
        }
    }

    var problemText: String {
        switch self {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): return problem
        default: return "\(self)"
        }
    }
}
