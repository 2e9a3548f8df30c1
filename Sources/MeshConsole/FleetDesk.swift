import Foundation
import MeshCatalog
import MeshCLI
import MeshKafka
import MeshLogging
import MeshOps
import MeshTransport
import MeshWire

/// Agents and dead letters, read from Kafka on request (the cards topic is compacted and the
/// dead-letter topic small, so a read is cheap), and dead-letter redrives through
/// `DeadLetterDesk`, recorded exactly as `meshctl deadletters redrive` records them but with
/// the signed-in person as `requested_by` and the console as the source.
public struct FleetDesk: Sendable {
    let client: OpsMeshClient
    let catalog: Catalog
    let producer: KafkaProducer
    let publisher: MeshPublisher
    let source: String

    public init(client: OpsMeshClient, catalog: Catalog, producer: KafkaProducer, publisher: MeshPublisher, instance: String) {
        self.client = client
        self.catalog = catalog
        self.producer = producer
        self.publisher = publisher
        source = SourcePath.make(role: MeshRoles.console, instance: instance)
    }

    func roster() async throws -> AgentRoster {
        try await client.roster(catalog: catalog, now: WallClock.nowUnixMicros())
    }

    /// Each consuming role's group lag, asked of the broker on every call (committed offsets
    /// against end offsets, as `meshctl lag`).
    func lag() throws -> [RoleConsumerGroups.Lag] {
        let inspector = try ConsumerGroupInspector(configuration: client.configuration, logger: client.logger)
        return try RoleConsumerGroups.lag(of: RoleConsumerGroups.targets(in: catalog), inspector: inspector, timeout: .seconds(5))
    }

    func letters() async throws -> [DeadLetter] {
        try await DeadLetterDesk.letters(configuration: client.configuration, logger: client.logger)
    }

    /// Redrives the letters named by `ids`; every id must exist, and a reason is required (it
    /// is the audit trail's answer to "why was this sent again").
    func redrive(ids: [String], reason: String, by person: String) async throws -> [DeadLetterDesk.Outcome] {
        guard !ids.isEmpty else { throw ConsoleError(.badRequest, "name at least one dead letter id (partition:offset)") }
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ConsoleError(.badRequest, "a redrive needs a reason; it is kept in the audit trail")
        }
        let all = try await letters()
        let chosen = all.filter { ids.contains($0.id) }
        let unknown = Set(ids).subtracting(chosen.map(\.id))
        guard unknown.isEmpty else {
            throw ConsoleError(.notFound, "no dead letter \(unknown.sorted().joined(separator: ", ")) on \(DeadLetterDesk.topic); nothing was sent")
        }
        return try await DeadLetterDesk.redrive(chosen, by: person, source: source, reason: reason, publisher: publisher, producer: producer)
    }
}
