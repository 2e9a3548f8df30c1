/// Why `meshctl replay` refused or stopped. Every message says what to do next.
public enum ReplayError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The audit store could not be opened or read.
    case storeUnreachable(store: String, reason: String)
    /// The store holds nothing for this correlation id.
    case unknownObjective(correlationID: String)
    /// `--rebuild` on an objective with no orchestrator snapshots in the store.
    case noSnapshots(correlationID: String)
    /// Every record of the objective was filtered out (e.g. all were rejected at the sink).
    case nothingToReplay(correlationID: String, detail: String)

    public var description: String {
        switch self {
        case .storeUnreachable(let store, let reason):
            return "audit store \(store) is unreachable: \(reason) "
                + "(pass --store sqlite:<path> or --store postgresql://…, or set AGENTMESH_AUDIT_STORE)"
        case .unknownObjective(let id):
            return "no records for \(id); check `meshctl audit search --correlation \(id)`"
        case .noSnapshots(let id):
            return "no orchestrator snapshots for \(id): this objective was not recorded by an orchestrator that "
                + "writes snapshots (agentmesh.orchestrator.snapshot.v1 on mesh.orchestrator.changelog), so it "
                + "cannot be rebuilt; --dry-run and --to still work"
        case .nothingToReplay(let id, let detail):
            return "nothing to replay for \(id): \(detail)"
        }
    }
}
