import Foundation
import MeshKafka

/// Where a mesh process finds its broker, keys and catalog.
///
/// Local runs need no flags: `meshctl broker` writes `<home>/broker.properties`
/// (bootstrap servers plus client settings that suit the embedded broker) and every other
/// command reads it. Production points elsewhere with `--bootstrap` / `AGENTMESH_BOOTSTRAP`
/// and passes any librdkafka property (TLS, SASL, …) through a properties file or `-X`.
public struct MeshEnvironment: Sendable {
    /// `--home`, else `AGENTMESH_HOME`, else `.agentmesh` in the working directory.
    public var home: URL

    public init(home: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        let path = home ?? environment["AGENTMESH_HOME"] ?? ".agentmesh"
        self.home = URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL
    }

    /// Written by `meshctl broker` while it runs.
    public var brokerFile: URL { home.appendingPathComponent("broker.properties") }
    /// The key ring made by `meshctl keys init`.
    public var keysDirectory: URL { home.appendingPathComponent("keys", isDirectory: true) }

    /// Resolves the Kafka client configuration.
    ///
    /// Bootstrap servers: `bootstrap` (the `--bootstrap` flag), else `AGENTMESH_BOOTSTRAP`,
    /// else the running embedded broker's file. Properties, later ones winning: the embedded
    /// broker's settings (only when its bootstrap is used), the `propertiesFile`
    /// (`--kafka-config` or `AGENTMESH_KAFKA_CONFIG`), then `overrides` (`-X key=value`).
    public func kafkaConfiguration(
        bootstrap: String? = nil, propertiesFile: String? = nil, overrides: [String] = [],
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> KafkaConfiguration {
        var properties: [String: String] = [:]
        let explicitBootstrap = bootstrap ?? environment["AGENTMESH_BOOTSTRAP"]
        if explicitBootstrap == nil, FileManager.default.fileExists(atPath: brokerFile.path) {
            properties = try KafkaConfiguration.loadProperties(file: brokerFile.path)
        }
        if let file = propertiesFile ?? environment["AGENTMESH_KAFKA_CONFIG"] {
            properties.merge(try KafkaConfiguration.loadProperties(file: file)) { _, new in new }
        }
        for (index, override) in overrides.enumerated() {
            let parsed = try KafkaConfiguration.parseProperties(override, fileName: "-X argument \(index + 1)")
            guard !parsed.isEmpty else { throw MeshEnvironmentError.malformedOverride(override) }
            properties.merge(parsed) { _, new in new }
        }
        if let explicitBootstrap { properties["bootstrap.servers"] = explicitBootstrap }
        guard let servers = properties["bootstrap.servers"], !servers.isEmpty else {
            throw MeshEnvironmentError.noBootstrap(brokerFile: brokerFile.path)
        }
        return KafkaConfiguration(properties: properties)
    }

    /// Records a running embedded broker for the other commands (atomically, so a reader
    /// never sees half a file).
    public func writeBrokerFile(bootstrapServers: String, clientProperties: [String: String]) throws {
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        var lines = ["# written by `meshctl broker` while it runs; removed when it stops",
                     "# pid=\(getpid())",
                     "bootstrap.servers=\(bootstrapServers)"]
        lines += clientProperties.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: brokerFile, options: .atomic)
    }

    /// Removes the broker file if this process wrote it.
    public func removeBrokerFile() {
        if brokerFilePID() == getpid() { try? FileManager.default.removeItem(at: brokerFile) }
    }

    /// The process id of a broker still running for this home, if any (a file left by a
    /// broker that crashed does not count).
    public func runningBrokerPID() -> Int32? {
        guard let pid = brokerFilePID(), pid != getpid(), kill(pid, 0) == 0 else { return nil }
        return pid
    }

    private func brokerFilePID() -> Int32? {
        guard let text = try? String(contentsOf: brokerFile, encoding: .utf8) else { return nil }
        let line = text.split(separator: "\n").first { $0.hasPrefix("# pid=") }
        return line.flatMap { Int32($0.dropFirst("# pid=".count)) }
    }
}

/// Configuration mistakes, each saying what to do.
public enum MeshEnvironmentError: Error, CustomStringConvertible, Equatable {
    case noBootstrap(brokerFile: String)
    case malformedOverride(String)

    public var description: String {
        switch self {
        case .noBootstrap(let file):
            return "no Kafka bootstrap servers: start the embedded broker with `meshctl broker` (it writes \(file)), "
                + "or pass --bootstrap host:port, or set AGENTMESH_BOOTSTRAP"
        case .malformedOverride(let text):
            return "-X \(text): expected key=value, e.g. -X security.protocol=SASL_SSL"
        }
    }
}
