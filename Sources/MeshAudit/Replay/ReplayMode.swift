/// What a replay does, as recorded in `ReplayRequested.mode`.
public enum ReplayMode: String, Sendable, Hashable, CaseIterable {
    /// List what would be re-published; publish nothing but the replay record.
    case dryRun = "dry-run"
    /// Re-publish the recorded envelopes, byte for byte, to one side topic.
    case sideTopic = "side-topic"
    /// Re-publish each envelope to its original topic (consumers drop duplicates by id).
    case mesh = "mesh"
    /// Recompute the orchestrator's decisions from the recorded inputs and compare.
    case rebuild = "rebuild"
}

/// Kafka headers that mark a re-published record, so no consumer or person can mistake a
/// replayed record for an original one. Values are UTF-8 text.
public enum ReplayMarker {
    /// Id of the replay (the `ReplayRequested.replay_id` on `mesh.operations`).
    public static let replayID = "agentmesh_replay_id"
    /// Topic the record was originally consumed from by the audit sink.
    public static let sourceTopic = "agentmesh_replay_source_topic"
    /// Partition of the original record.
    public static let sourcePartition = "agentmesh_replay_source_partition"
    /// Offset of the original record.
    public static let sourceOffset = "agentmesh_replay_source_offset"
    /// Audit store sequence of the record.
    public static let auditSequence = "agentmesh_replay_audit_sequence"

    /// The marker headers of `record` replayed by `replayID`, as (key, value) pairs in a
    /// fixed order.
    public static func headers(replayID: String, record: AuditRecord) -> [(key: String, value: String)] {
        [
            (Self.replayID, replayID),
            (sourceTopic, record.input.kafka.topic),
            (sourcePartition, String(record.input.kafka.partition)),
            (sourceOffset, String(record.input.kafka.offset)),
            (auditSequence, String(record.sequence)),
        ]
    }
}
