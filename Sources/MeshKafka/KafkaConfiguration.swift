import Foundation

/// librdkafka properties for one client, passed through verbatim.
///
/// Every property librdkafka knows (`security.protocol`, `sasl.mechanism`, `ssl.ca.location`,
/// `linger.ms`, …) can be set here, so TLS, SASL and tuning work against real clusters
/// without this layer knowing about them. The producer and consumer add the defaults their
/// delivery guarantees need (idempotence, manual offset store) unless the caller set them.
public struct KafkaConfiguration: Sendable, Equatable {
    public var properties: [String: String]

    public init(bootstrapServers: String, properties: [String: String] = [:]) {
        self.properties = properties
        self.properties["bootstrap.servers"] = bootstrapServers
    }

    public init(properties: [String: String]) {
        self.properties = properties
    }

    public var bootstrapServers: String? { properties["bootstrap.servers"] }

    public subscript(key: String) -> String? {
        get { properties[key] }
        set { properties[key] = newValue }
    }

    /// Returns a copy where `overrides` win over the current values.
    public func merging(_ overrides: [String: String]) -> KafkaConfiguration {
        KafkaConfiguration(properties: properties.merging(overrides) { _, new in new })
    }

    /// Returns a copy where the current values win over `defaults`.
    public func withDefaults(_ defaults: [String: String]) -> KafkaConfiguration {
        KafkaConfiguration(properties: properties.merging(defaults) { current, _ in current })
    }

    /// Parses a Java-style `.properties` file (`key=value`, `#` or `!` comments), the format
    /// Kafka tooling uses for client settings, so an operator can reuse an existing file.
    /// Fails naming the file and line of the first malformed entry.
    public static func parseProperties(_ text: String, fileName: String) throws -> [String: String] {
        var result: [String: String] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("!") { continue }
            guard let separator = line.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw KafkaError.configuration(
                    "\(fileName):\(index + 1): expected 'key=value', found '\(line)'")
            }
            let key = line[..<separator].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: separator)...].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty else {
                throw KafkaError.configuration("\(fileName):\(index + 1): property name is empty")
            }
            result[key] = value
        }
        return result
    }

    /// Loads a `.properties` file; see ``parseProperties(_:fileName:)``.
    public static func loadProperties(file path: String) throws -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KafkaError.configuration("\(path): cannot read Kafka properties file")
        }
        return try parseProperties(String(decoding: data, as: UTF8.self), fileName: path)
    }
}
