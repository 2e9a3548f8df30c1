import ArgumentParser
import MeshKafka
import MeshTransport

/// Options every mesh command and role executable shares: where the broker is and how to
/// talk to it.
public struct ConnectionOptions: ParsableArguments, Sendable {
    @Option(help: ArgumentHelp(
        "Kafka bootstrap servers (host:port,…). Default: $AGENTMESH_BOOTSTRAP, else the running `meshctl broker`.",
        valueName: "servers"))
    public var bootstrap: String?

    @Option(name: .customLong("kafka-config"), help: ArgumentHelp(
        "A librdkafka .properties file (TLS, SASL, tuning). Default: $AGENTMESH_KAFKA_CONFIG.", valueName: "file"))
    public var kafkaConfig: String?

    @Option(name: .customShort("X"), help: ArgumentHelp(
        "Set one librdkafka property, e.g. -X security.protocol=SASL_SSL (repeatable).", valueName: "key=value"))
    public var kafkaProperties: [String] = []

    @Option(help: ArgumentHelp(
        "State folder holding broker.properties and keys/. Default: $AGENTMESH_HOME, else ./.agentmesh.",
        valueName: "dir"))
    public var home: String?

    public init() {}

    public var environment: MeshEnvironment { MeshEnvironment(home: home) }

    public func kafkaConfiguration() throws -> KafkaConfiguration {
        try environment.kafkaConfiguration(bootstrap: bootstrap, propertiesFile: kafkaConfig, overrides: kafkaProperties)
    }
}
