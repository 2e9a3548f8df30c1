// Entry points: load a catalog from a folder, a file, or a string.

import Foundation

/// Loads topic catalogs from YAML and validates them.
///
/// Every problem is collected; if any is an error, a ``CatalogError`` listing all of
/// them is thrown. Warnings end up in ``Catalog/warnings``.
public enum CatalogLoader {
    /// Loads every `*.yaml` / `*.yml` file in `directory` (in name order) as one catalog.
    /// Duplicate roles or topics across files are errors naming both places.
    /// - Parameters:
    ///   - directory: the catalog folder, e.g. `Topics/`.
    ///   - displayPrefix: how the folder is named in messages; defaults to its last path component.
    ///   - knownEnvelopeTypes: envelope type names topics may carry.
    public static func load(
        directory: URL, displayPrefix: String? = nil,
        knownEnvelopeTypes: Set<String> = MeshEnvelopeTypes.declarable
    ) throws -> Catalog {
        let prefix = displayPrefix ?? directory.lastPathComponent
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
            .sorted()
        let log = IssueLog()
        if names.isEmpty {
            log.error(SourceLocation(file: prefix, line: 0), "catalog", "no .yaml files in the folder",
                      fix: "add e.g. \(prefix)/mesh.yaml starting with `catalog: 1`")
        }
        let sources = try names.map { name in
            (text: try readText(directory.appendingPathComponent(name)), fileName: "\(prefix)/\(name)")
        }
        return try run(sources: sources, knownEnvelopeTypes: knownEnvelopeTypes, log: log)
    }

    /// Loads one catalog file. Messages name it as `<parent folder>/<file>` unless `displayName` is given.
    public static func load(
        file: URL, displayName: String? = nil,
        knownEnvelopeTypes: Set<String> = MeshEnvelopeTypes.declarable
    ) throws -> Catalog {
        let name = displayName
            ?? "\(file.deletingLastPathComponent().lastPathComponent)/\(file.lastPathComponent)"
        return try parse(yaml: readText(file), fileName: name, knownEnvelopeTypes: knownEnvelopeTypes)
    }

    /// Parses and validates catalog text. `fileName` is used in messages.
    public static func parse(
        yaml: String, fileName: String = "catalog.yaml",
        knownEnvelopeTypes: Set<String> = MeshEnvelopeTypes.declarable
    ) throws -> Catalog {
        try run(sources: [(yaml, fileName)], knownEnvelopeTypes: knownEnvelopeTypes, log: IssueLog())
    }

    private static func readText(_ url: URL) throws -> String {
        let data = try Data(contentsOf: url)
        guard let text = String(data: data, encoding: .utf8) else {
            throw CatalogError(issues: [CatalogIssue(
                .error, at: SourceLocation(file: url.lastPathComponent, line: 0), subject: "catalog",
                problem: "the file is not UTF-8 text", fix: "save it as UTF-8")])
        }
        return text
    }

    private static func run(
        sources: [(text: String, fileName: String)], knownEnvelopeTypes: Set<String>, log: IssueLog
    ) throws -> Catalog {
        let drafts = sources.map { CatalogParser.parse(yaml: $0.text, fileName: $0.fileName, log: log) }
        let roles = drafts.flatMap(\.roles)
        let validator = CatalogValidator(
            roles: roles, topics: KindEntries.resolve(drafts.flatMap(\.topics), roles: roles, log: log),
            knownTypes: knownEnvelopeTypes,
            partitioner: drafts.lazy.compactMap(\.partitioner?.value).first ?? Catalog.defaultPartitioner, log: log,
            catalogLocation: SourceLocation(file: sources.first?.fileName ?? "catalog", line: 1, column: 1))
        guard let catalog = validator.validate() else {
            throw CatalogError(issues: log.sorted)
        }
        return catalog
    }
}
