import ArgumentParser
import MeshKafka
import MeshTransport

/// Options every mesh command and role executable shares: where the broker is and how to
/// talk to it, and the state folder.
public struct ConnectionOptions: ParsableArguments, Sendable {
    @OptionGroup public var kafka: KafkaClientOptions

    @Option(help: ArgumentHelp(
        "State folder holding broker.properties and keys/. Default: $AGENTMESH_HOME, else ./.agentmesh.",
        valueName: "dir"))
    public var home: String?

    public init() {}

    public var bootstrap: String? { kafka.bootstrap }

    public var environment: MeshEnvironment { MeshEnvironment(home: home) }

    public func kafkaConfiguration() throws -> KafkaConfiguration {
        try kafka.kafkaConfiguration(environment: environment)
    }
}

/// The Kafka client part of `ConnectionOptions`, for commands that take `--home` in another
/// option group (the `meshctl audit` commands read the checkpoint topic with it).
public struct KafkaClientOptions: ParsableArguments, Sendable {
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

    public init() {}

    /// The client configuration: these options over the defaults of `environment`.
    public func kafkaConfiguration(environment: MeshEnvironment) throws -> KafkaConfiguration {
        try environment.kafkaConfiguration(bootstrap: bootstrap, propertiesFile: kafkaConfig, overrides: kafkaProperties)
    }
}
