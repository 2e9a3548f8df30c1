import ArgumentParser
import Foundation
import Logging
import MeshAudit
import MeshCLI
import MeshCatalog
import MeshAuditIngest
import MeshKafka
import MeshRuntime

/// Reads the checkpoints of one `--anchor` value: `topic` (the catalog's checkpoint topic,
/// read to its end with the broker of the mesh's home), or an anchor file or WORM directory.
enum AuditAnchorSource {
    static func read(
        _ source: String, options: AuditStoreOptions, kafka: KafkaClientOptions, catalog: CatalogOptions
    ) async throws -> [AuditCheckpoint] {
        guard source == "topic" else {
            do { return try CheckpointAnchorFiles.read(source) } catch let error as AnchorError {
                throw ValidationError("--anchor \(source): \(error)")
            }
        }
        guard let name = try catalog.load().topics(declaring: AuditCheckpointTopic.type).first?.name else {
            throw ValidationError("--anchor topic: the catalog declares no topic carrying \(AuditCheckpointTopic.type)")
        }
        let configuration = try kafka.kafkaConfiguration(environment: options.environment)
        let checkpoints: [AuditCheckpoint]
        do {
            checkpoints = try await CheckpointTopicReader.read(name, configuration: configuration, logger: Logger(label: "audit-verify"))
        } catch let error as AnchorError {
            throw ValidationError("--anchor topic: \(error)")
        }
        guard !checkpoints.isEmpty else { throw ValidationError("--anchor topic: \(AnchorError.empty(location: "topic \(name)"))") }
        return checkpoints
    }
}

/// The runtime's catalog authorization (`Authorization.check`, the one implementation) for
/// confirming records the sink flagged unauthorized; nil when the catalog cannot be loaded.
enum AuditCatalogAuthorization {
    static func check(_ options: CatalogOptions) -> AuditInputBuilder.Authorize? {
        guard let catalog = try? options.load() else { return nil }
        return { Authorization.check($0, catalog: catalog) }
    }
}
