import Foundation

/// The validated playbooks an orchestrator can expand, by name.
///
/// Loading is all-or-nothing: every file is checked and, if anything is wrong, one
/// ``PlaybookError`` lists every problem with file, line and field.
public struct PlaybookLibrary: Sendable, Hashable {
    /// Playbooks by name.
    public let playbooks: [String: Playbook]

    /// A library of already-built playbooks (tests, embedding). Later duplicates of a name
    /// replace earlier ones; use ``load(directory:)`` for validated files.
    public init(_ playbooks: [Playbook]) {
        self.playbooks = Dictionary(playbooks.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// The playbook called `name`, if loaded.
    public subscript(name: String) -> Playbook? { playbooks[name] }

    /// Playbook names in sorted order.
    public var names: [String] { playbooks.keys.sorted() }

    /// Loads every `*.yaml` / `*.yml` file in `directory` (name order). Messages name files
    /// `<displayPrefix>/<file>`; the prefix defaults to the folder's last path component.
    /// Tasks may name the `agentRoles` only (the catalog's, `Catalog.agentRoles`).
    public static func load(directory: URL, displayPrefix: String? = nil, agentRoles: [String]) throws -> PlaybookLibrary {
        let prefix = displayPrefix ?? directory.lastPathComponent
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
            .sorted()
        let files = try names.map { name in
            (bytes: [UInt8](try Data(contentsOf: directory.appendingPathComponent(name))), file: "\(prefix)/\(name)")
        }
        if files.isEmpty {
            throw PlaybookError(issues: [PlaybookIssue(file: prefix, line: 0, subject: "library", field: nil,
                                                       message: "no .yaml playbooks in the folder")])
        }
        return try build(files, agentRoles: agentRoles)
    }

    /// Parses and validates one playbook from its exact bytes (the hash is taken over them).
    public static func parse(bytes: [UInt8], file: String = "playbook.yaml", agentRoles: [String]) throws -> Playbook {
        let issues = IssueList(file: file)
        let playbook = PlaybookParser(issues: issues, agentRoles: agentRoles).parse(bytes: bytes)
        guard let playbook, issues.issues.isEmpty else { throw PlaybookError(issues: issues.issues) }
        return playbook
    }

    /// Parses and validates one playbook from text (hashed as its UTF-8 bytes).
    public static func parse(yaml: String, file: String = "playbook.yaml", agentRoles: [String]) throws -> Playbook {
        try parse(bytes: Array(yaml.utf8), file: file, agentRoles: agentRoles)
    }

    /// Builds a library from several files; a name defined twice is an error naming both files.
    public static func build(_ files: [(bytes: [UInt8], file: String)], agentRoles: [String]) throws -> PlaybookLibrary {
        var problems: [PlaybookIssue] = []
        var byName: [String: Playbook] = [:]
        for (bytes, file) in files {
            let issues = IssueList(file: file)
            let playbook = PlaybookParser(issues: issues, agentRoles: agentRoles).parse(bytes: bytes)
            problems += issues.issues
            guard let playbook, issues.issues.isEmpty else { continue }
            if let earlier = byName[playbook.name] {
                problems.append(PlaybookIssue(file: file, line: 1, subject: "playbook", field: "playbook",
                                              message: "name \"\(playbook.name)\" is already used by \(earlier.file)"))
                continue
            }
            byName[playbook.name] = playbook
        }
        if !problems.isEmpty { throw PlaybookError(issues: problems) }
        return PlaybookLibrary(Array(byName.values))
    }
}
