import Logging
import MeshCatalog
import MeshKafka

extension MeshEnvironment {
    /// Starts the embedded broker with every topic of `catalog` and records it in this home's
    /// `broker.properties`, so role processes and commands started with this home find it.
    /// Used by `meshctl broker` and by tests that inject faults into the broker they host.
    public func hostEmbeddedBroker(catalog: Catalog, brokers: Int, logger: Logger) throws -> EmbeddedKafkaCluster {
        let cluster = try EmbeddedKafkaCluster(brokers: brokers, logger: logger)
        for spec in catalog.creationSpecs(brokerCount: brokers) {
            try cluster.createTopic(spec.name, partitions: spec.partitions, replicationFactor: spec.replicationFactor)
        }
        try writeBrokerFile(
            bootstrapServers: cluster.bootstrapServers, clientProperties: EmbeddedKafkaCluster.recommendedClientProperties)
        return cluster
    }
}
