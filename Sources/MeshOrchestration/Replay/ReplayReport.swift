import MeshWire

/// Outcome of ``Orchestrator/compare(events:recorded:from:)``.
public struct ReplayReport: Sendable, Hashable {
    /// Events fully replayed (all of them when there is no divergence).
    public var eventsReplayed: Int
    /// Recomputed outputs checked against the log.
    public var outputsCompared: Int
    /// State after the last fully replayed event.
    public var state: OrchestratorState
    /// The first divergence, or `nil` when the log is reproduced exactly.
    public var divergence: ReplayDivergence?

    /// True when every recomputed output matched the log.
    public var isFaithful: Bool { divergence == nil }
}

/// Where a replay first disagreed with the log.
public struct ReplayDivergence: Sendable, Hashable, CustomStringConvertible {
    /// What disagreed.
    public enum Kind: Sendable, Hashable {
        /// The replay produced an output the log does not contain.
        case missingFromLog(recomputed: Envelope)
        /// The log has an output with the same id but different content.
        case differs(recorded: Envelope, recomputed: Envelope, field: String)
        /// The log has an orchestrator output caused by this event that the replay did not produce.
        case unexplained(recorded: Envelope)
        /// The log has a deadline-expiry decision the state did not justify at its time.
        case unjustifiedExpiry(Envelope)
    }

    /// Position of the event in the replayed sequence (0-based).
    public var eventIndex: Int
    /// Id of the event.
    public var eventID: String
    /// What disagreed.
    public var kind: Kind

    /// One line for `meshctl replay`.
    public var description: String {
        let at = "event #\(eventIndex) (\(eventID))"
        switch kind {
        case .missingFromLog(let envelope):
            return "\(at): replay emits \(envelope.type) \(envelope.id), which the log does not contain"
        case .differs(let recorded, _, let field):
            return "\(at): output \(recorded.type) \(recorded.id) differs from the log in \(field)"
        case .unexplained(let recorded):
            return "\(at): the log has \(recorded.type) \(recorded.id) caused by this event, which the replay does not emit"
        case .unjustifiedExpiry(let envelope):
            return "\(at): expiry decision \(envelope.id) is not justified by the replayed state"
        }
    }

    /// Name of the first field in which two envelopes differ, or `nil` if they are equal.
    static func firstDifference(_ a: Envelope, _ b: Envelope) -> String? {
        let checks: [(String, Bool)] = [
            ("id", a.id == b.id), ("source", a.source == b.source), ("type", a.type == b.type),
            ("spec_version", a.specVersion == b.specVersion), ("time", a.timeUnixMicros == b.timeUnixMicros),
            ("subject", a.subject == b.subject), ("correlation_id", a.correlationID == b.correlationID),
            ("causation_id", a.causationID == b.causationID), ("traceparent", a.traceparent == b.traceparent),
            ("attributes", a.attributes == b.attributes), ("schema_version", a.schemaVersion == b.schemaVersion),
            ("payload", a.payload == b.payload),
        ]
        return checks.first { !$0.1 }?.0
    }
}
