import Foundation
import MeshSigning

/// A loaded, versioned set of review rules plus the hash that identifies it in verdicts.
public struct ReviewRules: Sendable, Hashable {
    /// The `rules_version` declared by the file(s).
    public var rulesVersion: String
    /// Rules in declaration order (files in name order); findings follow this order.
    public var rules: [ReviewRule]
    /// Hex SHA-256 identifying the rule bytes (see `load(file:)` and `load(directory:)`).
    public var rulesHash: String

    public init(rulesVersion: String, rules: [ReviewRule], rulesHash: String) {
        self.rulesVersion = rulesVersion
        self.rules = rules
        self.rulesHash = rulesHash
    }

    /// Loads one rule file. `rulesHash` is the SHA-256 of its canonical bytes: the file with a
    /// leading UTF-8 BOM removed and CRLF line ends turned into LF, so the same rules hash the
    /// same on every platform.
    ///
    /// - Parameter displayName: Name used in errors; defaults to `path`.
    /// - Throws: `ReviewRulesError` with file, line, rule and field.
    public static func load(file path: String, displayName: String? = nil) throws -> ReviewRules {
        let name = displayName ?? path
        let bytes = try read(path, name: name)
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try parse(canonicalBytes: canonical(bytes), file: name, baseDirectory: directory)
    }

    /// Loads every `*.yaml`/`*.yml` file of a directory, in file-name order. All files must
    /// declare the same `rules_version`, and rule ids must be unique across files. `rulesHash`
    /// is the SHA-256 of the lines `<file name> <hex SHA-256 of its canonical bytes>\n`.
    public static func load(directory path: String) throws -> ReviewRules {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        } catch {
            throw ReviewRulesError(file: path, line: 0, message: "cannot list rule directory: \(error.localizedDescription)")
        }
        guard !names.isEmpty else { throw ReviewRulesError(file: path, line: 0, message: "no *.yaml rule files in directory") }
        var version: String?
        var rules: [ReviewRule] = []
        var manifest = ""
        for name in names {
            let filePath = URL(fileURLWithPath: path).appendingPathComponent(name).path
            let canonicalBytes = canonical(try read(filePath, name: filePath))
            let loaded = try parse(canonicalBytes: canonicalBytes, file: filePath, baseDirectory: path)
            if let version, version != loaded.rulesVersion {
                throw ReviewRulesError(file: filePath, line: 1, field: "rules_version",
                                       message: "\"\(loaded.rulesVersion)\" differs from \"\(version)\" in the other files of the directory")
            }
            version = loaded.rulesVersion
            for rule in loaded.rules where rules.contains(where: { $0.id == rule.id }) {
                throw ReviewRulesError(file: filePath, line: Int(rule.source.split(separator: ":").last ?? "0") ?? 0,
                                       rule: rule.id, field: "id", message: "duplicate rule id (also in another file)")
            }
            rules += loaded.rules
            manifest += "\(name) \(loaded.rulesHash)\n"
        }
        return ReviewRules(rulesVersion: version!, rules: rules, rulesHash: SHA256Digest.hex(Array(manifest.utf8)))
    }

    /// Parses rules from YAML text (tests, embedded defaults). `rulesHash` is computed as for
    /// `load(file:)`.
    public static func parse(yaml: String, file: String = "<memory>", baseDirectory: String = ".") throws -> ReviewRules {
        try parse(canonicalBytes: canonical(Array(yaml.utf8)), file: file, baseDirectory: baseDirectory)
    }

    private static func parse(canonicalBytes: [UInt8], file: String, baseDirectory: String) throws -> ReviewRules {
        guard let text = String(validating: canonicalBytes, as: UTF8.self) else {
            throw ReviewRulesError(file: file, line: 0, message: "rule file is not valid UTF-8")
        }
        let parsed = try ReviewRulesParser(file: file, baseDirectory: baseDirectory).parse(text)
        return ReviewRules(rulesVersion: parsed.version, rules: parsed.rules,
                           rulesHash: try rulesHash(canonicalBytes: canonicalBytes, rules: parsed.rules, file: file))
    }

    /// The SHA-256 of the file's canonical bytes; with `model_review` rules, of those bytes'
    /// hash followed by, per such rule, the hashes of its prompt, findings schema and agent
    /// definition: what a model reviews with decides its verdicts as much as the YAML does, so
    /// a verdict's `rulesHash` names all of it. Files without model reviews hash as before.
    static func rulesHash(canonicalBytes: [UInt8], rules: [ReviewRule], file: String) throws -> String {
        var manifest = ""
        for rule in rules {
            guard case .modelReview(let spec) = rule.kind else { continue }
            guard let agent = FileManager.default.contents(atPath: spec.agentFile).map(Array.init) else {
                throw ReviewRulesError(file: file, line: 0, rule: rule.id, field: "agent",
                                       message: "cannot read the agent definition \(spec.agentFile)")
            }
            manifest += "\(rule.id) prompt \(SHA256Digest.hex(Array(spec.prompt.utf8))) schema "
                + "\(SHA256Digest.hex(Array(spec.findingsSchema.utf8))) agent \(SHA256Digest.hex(canonical(agent)))\n"
        }
        let fileHash = SHA256Digest.hex(canonicalBytes)
        return manifest.isEmpty ? fileHash : SHA256Digest.hex(Array("\(fileHash)\n\(manifest)".utf8))
    }

    static func canonical(_ bytes: [UInt8]) -> [UInt8] {
        var input = bytes[...]
        if input.starts(with: [0xEF, 0xBB, 0xBF]) { input = input.dropFirst(3) }
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = input.startIndex
        while index < input.endIndex {
            let byte = input[index]
            if byte == 0x0D, index + 1 < input.endIndex, input[index + 1] == 0x0A {
                index += 1
                continue
            }
            output.append(byte)
            index += 1
        }
        return output
    }

    private static func read(_ path: String, name: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReviewRulesError(file: name, line: 0, message: "cannot read rule file")
        }
        return Array(data)
    }
}
