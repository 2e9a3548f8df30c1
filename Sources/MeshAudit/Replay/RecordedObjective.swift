import MeshCatalog

/// Everything the audit store holds for one objective (correlation id), in audit sequence
/// order, and the selection of records a replay may re-publish.
public struct RecordedObjective: Sendable {
    /// CloudEvents type of replay records; they describe replays, they are not replayed.
    public static let replayRequestedType = "agentmesh.replay.requested.v1"
    /// The orchestrator's private changelog: never re-published into the mesh.
    public static let changelogTopic = MeshTopics.changelog

    /// The objective.
    public let correlationID: String
    /// Every stored record, ordered by sequence.
    public let records: [AuditRecord]

    /// Loads the records of `correlationID`.
    /// - Throws: `ReplayError.unknownObjective` when there are none, `.storeUnreachable`
    ///   when the store cannot be read.
    public init(correlationID: String, store: AuditStore, storeName: String) throws {
        let records: [AuditRecord]
        do { records = try store.records(correlationID: correlationID) } catch {
            throw ReplayError.storeUnreachable(store: storeName, reason: "\(error)")
        }
        try self.init(correlationID: correlationID, records: records)
    }

    /// Wraps records already read (sorted by sequence here, whatever their order).
    public init(correlationID: String, records: [AuditRecord]) throws {
        guard !records.isEmpty else { throw ReplayError.unknownObjective(correlationID: correlationID) }
        self.correlationID = correlationID
        self.records = records.sorted { $0.sequence < $1.sequence }
    }

    /// Why a record is left out of a re-publication.
    public enum Exclusion: Sendable, Hashable, CustomStringConvertible {
        /// An earlier replay's own record.
        case replayRecord
        /// The sink could not verify it (forgery attempt or unknown key): never re-sent.
        case rejectedAtSink(reason: String)
        /// Orchestrator changelog, left out of `--into-mesh` (see `ReplayCommand`).
        case changelog

        public var description: String {
            switch self {
            case .replayRecord: return "an earlier replay's record"
            case .rejectedAtSink(let reason): return "rejected by the audit sink (\(reason))"
            case .changelog: return "orchestrator changelog, not re-published into the mesh"
            }
        }
    }

    /// Why `record` is not re-published in `mode`, or nil when it is.
    public func exclusion(of record: AuditRecord, mode: ReplayMode, includeRejected: Bool = false) -> Exclusion? {
        if record.input.type == Self.replayRequestedType { return .replayRecord }
        if case .rejected(let reason) = record.input.verification, !includeRejected || mode == .mesh {
            return .rejectedAtSink(reason: reason)
        }
        if mode == .mesh, record.input.kafka.topic == Self.changelogTopic { return .changelog }
        return nil
    }

    /// The records `mode` re-publishes, in sequence order.
    public func selection(for mode: ReplayMode, includeRejected: Bool = false) -> [AuditRecord] {
        records.filter { exclusion(of: $0, mode: mode, includeRejected: includeRejected) == nil }
    }

    /// The records that belong to the objective's own flow (everything but replay records).
    public var flowRecords: [AuditRecord] { records.filter { $0.input.type != Self.replayRequestedType } }
}

extension Array where Element == AuditRecord {
    /// First and last sequence, or (0, 0) when empty.
    public var sequenceRange: (first: Int64, last: Int64) {
        (first?.sequence ?? 0, last?.sequence ?? 0)
    }
}
