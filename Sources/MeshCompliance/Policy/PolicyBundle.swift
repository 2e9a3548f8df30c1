import Foundation
import MeshSigning

/// A set of loaded policy packs: the unit that evaluates subjects and that verdicts cite.
///
/// **Hash**: SHA-256 (lowercase hex) over
/// `"agentmesh-policy-bundle/1\n"` followed by, for each pack sorted by id, its canonical
/// form (see `Canonical`: sorted mapping keys, quoted scalars, list order kept) and `"\n"`.
/// It is therefore stable across file order, file names, indentation, comments, quoting and
/// key order, and changes whenever any rule field, parameter, allow-list entry or list order
/// changes.
public struct PolicyBundle: Sendable {
    /// Packs sorted by id.
    public let packs: [PolicyPack]
    /// All rules of all packs, sorted by rule id.
    public let rules: [PolicyRule]
    /// Exclusions of all packs, sorted by id; they apply to the rules of every pack.
    public let exclusions: [ExclusionRule]
    /// SHA-256 hex of the canonical bundle form.
    public let hash: String
    /// The text detector of each rule (by rule index; `nil` for record checks), held apart so
    /// the per-artifact loop does not reach into `PolicyRule` values.
    let textDetectors: [TextDetectorBox?]
    /// `exclusions` by ``IdentifierClass`` position: the ones each match must be checked against.
    let exclusionsByClass: [[ExclusionRule]]
    /// Whether any rule is limited to some media types (otherwise every artifact gets every rule).
    let mediaTypeScoped: Bool

    /// Builds a bundle from loaded packs; pack ids and rule ids must be unique across the bundle.
    public init(packs: [PolicyPack]) throws {
        let sorted = packs.sorted { $0.id < $1.id }
        var packIds: [String: String] = [:]
        var ruleOwners: [String: String] = [:]
        for p in sorted {
            if let other = packIds[p.id] {
                throw PolicyLoadError(file: p.source, line: 1, field: "id", message: "duplicate pack id \"\(p.id)\" (also in \(other))")
            }
            packIds[p.id] = p.source
            for r in p.rules {
                if let other = ruleOwners[r.id] {
                    throw PolicyLoadError(file: p.source, line: 0, rule: r.id, field: "id",
                                          message: "duplicate rule id (also in \(other))")
                }
                ruleOwners[r.id] = p.source
            }
            for x in p.exclusions {
                if let other = ruleOwners[x.id] {
                    throw PolicyLoadError(file: p.source, line: 0, rule: x.id, field: "id",
                                          message: "duplicate rule or exclusion id (also in \(other))")
                }
                ruleOwners[x.id] = p.source
            }
        }
        self.packs = sorted
        self.rules = sorted.flatMap(\.rules).sorted { $0.id < $1.id }
        self.textDetectors = self.rules.map { r -> TextDetectorBox? in
            if case .text(let d) = r.detector { return TextDetectorBox(d) }
            return nil
        }
        self.exclusions = sorted.flatMap(\.exclusions).sorted { $0.id < $1.id }
        var byClass = [[ExclusionRule]](repeating: [], count: IdentifierClass.allCases.count)
        for x in exclusions { for c in x.classes { byClass[c.position].append(x) } }
        self.exclusionsByClass = byClass
        self.mediaTypeScoped = rules.contains { !$0.scope.mediaTypes.isEmpty }
        var canonical = "agentmesh-policy-bundle/1\n"
        for p in sorted { canonical += p.canonicalForm + "\n" }
        self.hash = SHA256Digest.hex(canonical.utf8)
    }

    /// Loads packs from in-memory sources `(file name, YAML text)`.
    public init(sources: [(file: String, yaml: String)], registry: DetectorRegistry = .standard) throws {
        let loader = PolicyPackLoader(registry: registry)
        try self.init(packs: sources.map { try loader.load(yaml: $0.yaml, file: $0.file) })
    }

    /// Loads every `*.yaml` / `*.yml` file in `directory` (not recursive). File names in errors
    /// are `directory/name` as given.
    public static func load(directory: String, registry: DetectorRegistry = .standard) throws -> PolicyBundle {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        } catch {
            throw PolicyLoadError(file: directory, line: 0, message: "cannot list policy directory: \(error.localizedDescription)")
        }
        var sources: [(file: String, yaml: String)] = []
        for name in names {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw PolicyLoadError(file: path, line: 0, message: "cannot read file as UTF-8")
            }
            sources.append((path, text))
        }
        return try PolicyBundle(sources: sources, registry: registry)
    }
}
