import Foundation
import Logging
import MeshAudit
import MeshKafka

/// Carries every checkpoint the store writes out of the database, where an attacker with
/// database access cannot reach it: to the catalog's checkpoint topic (only the audit sink
/// may produce to it), to an anchor file and/or to a WORM directory. `meshctl audit verify
/// --anchor …` then checks the store against these copies.
///
/// Anchoring follows the store commit (a checkpoint is stored, then anchored). A checkpoint
/// that could not be anchored is kept and tried again with the next one, and counted in
/// /metrics: a verifier reports it as missing from the anchor only if the sink never gets it
/// out, and the next anchored checkpoint covers its records anyway.
final class CheckpointAnchors: @unchecked Sendable {
    private let file: String?
    private let directory: String?
    /// The checkpoint topic and the producer that writes to it.
    private let topic: (name: String, producer: KafkaProducer)?
    private let logger: Logger
    private let metrics: SinkMetrics
    /// Guards `pending`; held only to copy it, never across I/O.
    private let lock = NSLock()
    private var pending: [AuditCheckpoint] = []

    init(file: String?, directory: String?, topic: (name: String, producer: KafkaProducer)?, metrics: SinkMetrics, logger: Logger) {
        self.file = file
        self.directory = directory
        self.topic = topic
        self.metrics = metrics
        self.logger = logger
    }

    /// Where checkpoints go, for the start-up log.
    var destinations: String {
        ([topic.map { "topic \($0.name)" }, file.map { "file \($0)" }, directory.map { "directory \($0)" }].compactMap { $0 })
            .joined(separator: ", ")
    }

    /// Checkpoints waiting to be anchored (a gauge of /metrics).
    var pendingCount: Int { lock.withLock { pending.count } }

    /// Anchors `checkpoints` (and any left over from a failed attempt), in order.
    func anchor(_ checkpoints: [AuditCheckpoint]) async {
        let batch: [AuditCheckpoint] = lock.withLock {
            pending += checkpoints
            return pending
        }
        guard !batch.isEmpty else { return }
        do {
            if let file { try CheckpointAnchorFiles.append(batch, toFile: file) }
            if let directory { try CheckpointAnchorFiles.write(batch, toDirectory: directory) }
            if let topic {
                for checkpoint in batch {
                    _ = try await topic.producer.send(OutgoingMessage(
                        topic: topic.name, key: Array(checkpoint.logID.utf8), value: Array(checkpoint.anchorLine.utf8)))
                }
            }
            lock.withLock { pending.removeFirst(min(batch.count, pending.count)) }
            metrics.anchored.increment(by: batch.count)
            for checkpoint in batch {
                logger.info("checkpoint anchored", metadata: [
                    "sequence": "\(checkpoint.sequence)", "root": "\(Data(checkpoint.merkleRoot).base64EncodedString())",
                    "to": "\(destinations)",
                ])
            }
        } catch {
            metrics.anchorFailures.increment()
            logger.error("could not anchor checkpoint(s) outside the database; they are retried with the next checkpoint", metadata: [
                "error": "\(error)", "sequences": "\(batch.map(\.sequence))",
            ])
        }
    }
}
