/// The catalog topic that carries anchored checkpoints is the one declaring `type` (the
/// catalog is the one source of topic names; this is the record type it is found by).
public enum AuditCheckpointTopic {
    /// The record type of an anchored checkpoint (one `anchorLine` per Kafka record).
    public static let type = "agentmesh.audit.checkpoint.v1"
}
