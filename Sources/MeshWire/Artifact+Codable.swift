import Foundation

/// JSON form of an ``Artifact`` (orchestrator snapshots): the bytes as base64 strings, not
/// as arrays of numbers, which cost one JSON value per byte to write and to read. Reading
/// also accepts the array form of earlier snapshots.
extension Artifact {
    private enum CodingKeys: String, CodingKey {
        case name, mediaType, content, sha256
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try container.decode(String.self, forKey: .name),
            mediaType: try container.decode(String.self, forKey: .mediaType),
            content: try Self.bytes(container, .content),
            sha256: try Self.bytes(container, .sha256))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(mediaType, forKey: .mediaType)
        try container.encode(Data(content).base64EncodedString(), forKey: .content)
        try container.encode(Data(sha256).base64EncodedString(), forKey: .sha256)
    }

    private static func bytes(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws -> [UInt8] {
        if let array = try? container.decode([UInt8].self, forKey: key) { return array }
        let text = try container.decode(String.self, forKey: key)
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "not base64")
        }
        return [UInt8](data)
    }
}
