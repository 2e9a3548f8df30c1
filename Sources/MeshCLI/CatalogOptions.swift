import ArgumentParser
import Foundation
import MeshCatalog

/// Where the topic catalog lives.
public struct CatalogOptions: ParsableArguments, Sendable {
    @Option(help: ArgumentHelp(
        "Topic catalog folder. Default: $AGENTMESH_CATALOG, else ./Topics.", valueName: "dir"))
    public var catalog: String?

    public init() {}

    public var catalogDirectory: URL {
        let path = catalog ?? ProcessInfo.processInfo.environment["AGENTMESH_CATALOG"] ?? "Topics"
        return URL(fileURLWithPath: path, isDirectory: true)
    }

    /// Loads and validates the catalog; a broken catalog stops the command with every
    /// problem listed (file, line, field).
    public func load() throws -> Catalog {
        let directory = catalogDirectory
        guard FileManager.default.fileExists(atPath: directory.path) else {
            throw ValidationError(
                "no topic catalog at \(directory.path): run from the repository root or pass --catalog <dir>")
        }
        return try CatalogLoader.load(directory: directory)
    }
}
