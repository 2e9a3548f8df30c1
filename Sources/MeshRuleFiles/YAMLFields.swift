import Foundation
import Yams

/// Typed, strict access to YAML mappings that turns every problem into a `RuleFileError`
/// carrying the node's line (review rules, agent definitions).
public struct YAMLFields {
    public let file: String
    public var rule: String?

    public init(file: String, rule: String? = nil) {
        self.file = file
        self.rule = rule
    }

    /// The root node of `yaml`; an empty document or a syntax error becomes a `RuleFileError`
    /// with the line where the parser stopped.
    public func compose(_ yaml: String, empty: String) throws -> Node {
        do {
            guard let node = try Yams.compose(yaml: yaml) else { throw RuleFileError(file: file, line: 1, message: empty) }
            return node
        } catch let error as YamlError {
            throw RuleFileError(file: file, line: Self.line(of: error), message: "YAML syntax error: \(Self.problem(of: error))")
        }
    }

    private static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        default: 1
        }
    }

    private static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): problem
        default: "\(error)"
        }
    }

    public func error(_ node: Node?, field: String?, _ message: String) -> RuleFileError {
        RuleFileError(file: file, line: node?.mark?.line ?? 0, rule: rule, field: field, message: message)
    }

    public func mapping(_ node: Node, field: String?) throws -> Node.Mapping {
        guard let mapping = node.mapping else { throw error(node, field: field, "expected a mapping") }
        return mapping
    }

    public func checkKeys(_ mapping: Node.Mapping, allowed: Set<String>, at node: Node) throws {
        for key in mapping.keys {
            let name = key.string ?? ""
            guard allowed.contains(name) else {
                throw error(key, field: name, "unknown field; allowed here: \(allowed.sorted().joined(separator: ", "))")
            }
        }
    }

    public func requiredString(_ mapping: Node.Mapping, _ key: String, in node: Node) throws -> String {
        guard let value = mapping[key] else { throw error(node, field: key, "missing required field") }
        return try string(value, field: key)
    }

    public func optionalString(_ mapping: Node.Mapping, _ key: String) throws -> String? {
        try mapping[key].map { try string($0, field: key) }
    }

    public func string(_ node: Node, field: String) throws -> String {
        guard case .scalar(let scalar) = node else { throw error(node, field: field, "expected a string") }
        return scalar.string
    }

    public func stringList(_ mapping: Node.Mapping, _ key: String) throws -> [String]? {
        guard let node = mapping[key] else { return nil }
        guard case .sequence(let sequence) = node else { throw error(node, field: key, "expected a list of strings") }
        return try sequence.enumerated().map { index, item in try string(item, field: "\(key)[\(index)]") }
    }

    public func nonEmptyStringList(_ mapping: Node.Mapping, _ key: String, in node: Node) throws -> [String] {
        guard let list = try stringList(mapping, key) else { throw error(node, field: key, "missing required field") }
        guard !list.isEmpty, !list.contains(where: \.isEmpty) else {
            throw error(mapping[key], field: key, "expected a non-empty list of non-empty strings")
        }
        return list
    }

    public func bool(_ mapping: Node.Mapping, _ key: String, default value: Bool) throws -> Bool {
        guard let node = mapping[key] else { return value }
        switch node.string {
        case "true": return true
        case "false": return false
        default: throw error(node, field: key, "expected true or false")
        }
    }

    public func positiveInt(_ mapping: Node.Mapping, _ key: String, default value: Int) throws -> Int {
        guard let node = mapping[key] else { return value }
        guard let number = node.scalar.flatMap({ Int($0.string) }), number > 0 else {
            throw error(node, field: key, "expected a positive integer")
        }
        return number
    }

    /// `1048576`, `512KiB`, `1MiB`, `2GiB`.
    public func size(_ mapping: Node.Mapping, _ key: String, in node: Node) throws -> Int {
        guard let value = mapping[key] else { throw error(node, field: key, "missing required field") }
        let text = try string(value, field: key).trimmingCharacters(in: .whitespaces)
        let units: [(String, Int)] = [("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10), ("B", 1), ("", 1)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            if let number = Int(text.dropLast(suffix.count).trimmingCharacters(in: .whitespaces)), number > 0,
               number <= Int.max / factor {
                return number * factor
            }
            break
        }
        throw error(value, field: key, "expected a size like 1048576 or 1MiB (B, KiB, MiB, GiB), got \"\(text)\"")
    }

    /// `500ms`, `10s`, `2m`.
    public func duration(_ mapping: Node.Mapping, _ key: String, default value: Duration) throws -> Duration {
        guard let node = mapping[key] else { return value }
        let text = try string(node, field: key)
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            if let number = Int64(text.dropLast(suffix.count)), number > 0 { return .milliseconds(number * factor) }
            break
        }
        throw error(node, field: key, "expected a duration like 500ms, 10s or 2m, got \"\(text)\"")
    }
}
