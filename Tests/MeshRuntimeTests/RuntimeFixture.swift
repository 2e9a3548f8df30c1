import Foundation
import Logging
import MeshCatalog
import MeshKafka
import MeshRuntime
import MeshSigning
import MeshTestSupport
import MeshTransport
import MeshWire

/// An embedded broker with `topics`, the shipped catalog and a key ring for the coding and
/// reviewer roles: what a runtime test needs to run a reviewer worker on real Kafka clients.
struct RuntimeFixture {
    let logger = Logger(label: "test")
    let cluster: EmbeddedKafkaCluster
    let catalog: Catalog
    let keys: String
    let kafka: KafkaConfiguration

    init(topics: [String], partitions: Int) throws {
        cluster = try EmbeddedKafkaCluster(brokers: 1, logger: logger)
        for topic in topics { try cluster.createTopic(topic, partitions: partitions) }
        catalog = try CatalogLoader.load(directory: repositoryRoot().appendingPathComponent("Topics"))
        keys = NSTemporaryDirectory() + "runtime-keys-\(UUID().uuidString)"
        try KeyRingStore.initialize(at: keys, roles: ["coding", "reviewer"], people: [], algorithm: .hmacSHA256)
        kafka = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers,
                                   properties: EmbeddedKafkaCluster.recommendedClientProperties)
    }

    /// A reviewer worker on `mesh.results` without heartbeats; `configure` adjusts the rest.
    func reviewer(
        _ handler: any RoleHandler, kafka overrides: [String: String] = [:],
        configure: (inout RoleWorkerConfiguration) -> Void = { _ in }
    ) throws -> RoleWorker {
        var configuration = RoleWorkerConfiguration(role: "reviewer", instanceID: "r-1", topics: ["mesh.results"])
        configuration.heartbeatInterval = nil
        configure(&configuration)
        return try RoleWorker(
            configuration: configuration, kafka: kafka.merging(overrides), sealer: try sealer(as: "reviewer"),
            opener: try opener(), catalog: catalog, handler: handler, logger: logger)
    }

    func sealer(as principal: String) throws -> EnvelopeSealer {
        EnvelopeSealer(signer: try KeyRingStore.loadSigner(principal: principal, from: keys))
    }

    func opener() throws -> EnvelopeOpener {
        EnvelopeOpener(trust: try KeyRingStore.loadTrustStore(from: keys))
    }
}

/// The verdict a test reviewer publishes for a result (derived id, so a redelivery repeats it).
func verdict(answering inbound: InboundEnvelope, _ result: TaskResult) -> OutboundEnvelope {
    let verdict = Envelope(
        id: DerivedID.make(causeID: inbound.envelope.id, role: "reviewer", output: "verdict"),
        source: "/mesh/reviewer/r-1", correlationID: inbound.envelope.correlationID, causationID: inbound.envelope.id,
        payload: .verdict(Verdict(taskID: result.taskID, planID: result.planID, kind: .review, decision: .approve,
                                  resultEnvelopeID: inbound.envelope.id, reviewerID: "r-1")))
    return OutboundEnvelope(topic: "mesh.verdicts", envelope: verdict)
}
