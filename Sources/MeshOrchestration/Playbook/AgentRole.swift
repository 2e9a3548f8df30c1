/// The agent role a playbook task is addressed to: a catalog role of kind `agent` with a
/// task topic (`Catalog.agentRoles`). Which roles exist is the catalog's business; a
/// playbook is checked against it when it is loaded.
public struct AgentRole: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The role's catalog name, e.g. `coding`.
    public let rawValue: String

    /// The role called `rawValue` (not checked here; playbook loading checks it).
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The role called `name`.
    public init(_ name: String) { self.rawValue = name }

    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    public var description: String { rawValue }
}
