import Foundation
import Logging
import MeshAudit
import MeshAuditIngest
import MeshKafka
import MeshSigning

/// The sink's start-up check against its own anchors: before appending to the store it
/// reopens, the store's tree must extend the newest checkpoint this sink anchored outside the
/// database (`AnchoredStartCheck`). Otherwise a sink restarted on a rewritten database would
/// continue the rewritten chain and sign it in its next checkpoint.
enum StartupAnchorCheck {
    /// The check failed: the sink must not start.
    struct Refused: Error, CustomStringConvertible {
        let reason: String
        var description: String { "refusing to start: \(reason)" }
    }

    /// Reads the anchors (file, directory, topic: those configured), checks the store against
    /// the newest one of its log, logs the outcome.
    /// - Throws: `Refused` with the reason, naming the anchor that could not be read or the
    ///   checkpoint the store no longer reproduces.
    static func run(
        store: AuditStore, file: String?, directory: String?, topic: String?, kafka: KafkaConfiguration, trust: TrustStore,
        logger: Logger
    ) async throws {
        guard file != nil || directory != nil || topic != nil else { return }
        var anchored: [AuditCheckpoint] = []
        do {
            for path in [file, directory].compactMap({ $0 }) where FileManager.default.fileExists(atPath: path) {
                do { anchored += try CheckpointAnchorFiles.read(path) } catch AnchorError.empty { continue }
            }
            if let topic { anchored += try await CheckpointTopicReader.read(topic, configuration: kafka, logger: logger) }
        } catch {
            logger.critical("cannot read the anchored checkpoints to check the store against them", metadata: ["error": "\(error)"])
            throw Refused(reason: "cannot read the anchored checkpoints (\(error)); the store cannot be checked against them")
        }
        do {
            let outcome = try AnchoredStartCheck.check(store, anchors: anchored, trust: trust)
            if outcome.ignoredUnsigned > 0 {
                logger.warning("anchored checkpoints whose signature does not verify were ignored", metadata: [
                    "ignored": "\(outcome.ignoredUnsigned)",
                ])
            }
            logger.info("the store reproduces the newest anchored checkpoint", metadata: [
                "anchored_sequence": "\(outcome.checked.map { String($0.sequence) } ?? "none yet")",
                "stored_records": "\(outcome.storedTree.size)", "stored_root": "\(Hex.encode(outcome.storedTree.root))",
            ])
        } catch let refusal as AnchoredStartCheck.Refusal {
            logger.critical("the store does not reproduce its anchored checkpoints", metadata: [
                "error": "\(refusal)", "log_id": "\(store.logID)",
            ])
            throw Refused(reason: refusal.description)
        }
    }
}
