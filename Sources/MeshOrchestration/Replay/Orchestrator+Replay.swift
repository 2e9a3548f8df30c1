import MeshWire

extension Orchestrator {
    /// Folds ``handle(_:_:)`` over `events`, starting from `state` (empty by default).
    /// Returns the final state and every output in emission order.
    public func replay(events: [Envelope], from state: OrchestratorState = OrchestratorState())
        -> (OrchestratorState, [Output]) {
        var current = state
        var outputs: [Output] = []
        for event in events {
            let (next, emitted) = handle(current, event)
            current = next
            outputs += emitted
        }
        return (current, outputs)
    }

    /// Replays `events` and checks every recomputed output against `recorded`, the
    /// envelopes the orchestrator emitted according to the log (matched by id).
    ///
    /// Stops at the first divergence: an output the log lacks, a logged output that differs
    /// (naming the first differing field), a logged output caused by an event that the
    /// replay did not produce, or a deadline-expiry decision in the log that
    /// ``expiredApprovals(_:nowMicros:)`` would not have produced at its time.
    ///
    /// Events must be stamped the way the runtime stamped them (see ``ResultDigest``).
    public func compare(events: [Envelope], recorded: [Envelope],
                        from state: OrchestratorState = OrchestratorState()) -> ReplayReport {
        let byID = Dictionary(recorded.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let byCause = Dictionary(grouping: recorded, by: \.causationID)
        var current = state
        var compared = 0
        for (index, event) in events.enumerated() {
            func diverged(_ kind: ReplayDivergence.Kind) -> ReplayReport {
                ReplayReport(eventsReplayed: index, outputsCompared: compared, state: current,
                             divergence: ReplayDivergence(eventIndex: index, eventID: event.id, kind: kind))
            }
            if Self.isExpiryDecision(event) {
                // The timer's decision carries no stamp; the recorded one was stamped on receipt.
                let justified = Self.expiredApprovals(current, nowMicros: event.timeUnixMicros)
                    .contains { $0.envelope == ResultDigest.unstamped(event) }
                if !justified { return diverged(.unjustifiedExpiry(event)) }
            }
            let (next, outputs) = handle(current, event)
            for output in outputs {
                compared += 1
                guard let logged = byID[output.envelope.id] else {
                    return diverged(.missingFromLog(recomputed: output.envelope))
                }
                if let field = ReplayDivergence.firstDifference(logged, output.envelope) {
                    return diverged(.differs(recorded: logged, recomputed: output.envelope, field: field))
                }
            }
            let produced = Set(outputs.map(\.envelope.id))
            if let extra = byCause[event.id]?.first(where: { !produced.contains($0.id) }) {
                return diverged(.unexplained(recorded: extra))
            }
            current = next
        }
        return ReplayReport(eventsReplayed: events.count, outputsCompared: compared, state: current, divergence: nil)
    }

    /// True for a deadline-expiry decision the orchestrator published.
    static func isExpiryDecision(_ event: Envelope) -> Bool {
        guard case .approvalDecision(let decision) = event.payload else { return false }
        return decision.signerID == deadlineSigner && event.source == source
    }
}
