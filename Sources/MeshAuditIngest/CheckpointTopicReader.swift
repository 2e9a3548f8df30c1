import Logging
import MeshAudit
import MeshKafka

/// Reads the anchored checkpoints on the catalog's checkpoint topic (one `anchorLine` per
/// record), for `meshctl audit verify --anchor topic` and the audit sink's start-up check.
public enum CheckpointTopicReader {
    /// Every checkpoint `topic` holds now.
    /// - Throws: `AnchorError.badEntry` naming the record that is not a checkpoint; the
    ///   `KafkaError` of a topic that cannot be read.
    public static func read(_ topic: String, configuration: KafkaConfiguration, logger: Logger) async throws -> [AuditCheckpoint] {
        let records = try await TopicReader.readToEnd(topic, configuration: configuration, logger: logger)
        return try records.map { record in
            do {
                return try AuditCheckpoint(anchorLine: String(decoding: record.value, as: UTF8.self))
            } catch let AnchorError.malformed(detail) {
                throw AnchorError.badEntry(location: "\(topic)[\(record.partition)]@\(record.offset)", detail: detail)
            }
        }
    }
}
