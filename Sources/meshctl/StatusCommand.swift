import ArgumentParser
import Foundation
import MeshCLI
import MeshCatalog
import MeshLogging
import MeshOps
import MeshTransport
import MeshWire

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show where an objective is: one row per task with its A2A state.",
        discussion: """
            Reads mesh.objectives and mesh.plans (verified envelopes only) and shows the latest
            PlanStatus over the PlanCreated task list, and the outcome once there is one.
            A task still to be done whose role has no live instance (by the agent
            cards, see `meshctl agents`) is named: nothing picks it up until one starts.
            Exit status: 0 when the objective is known, 4 when nothing about it was found.
            """)

    @Argument(help: ArgumentHelp("The objective's correlation id (printed by submit).", valueName: "correlation-id"))
    var correlationID: String
    @Flag(help: "Print one JSON document.") var json = false
    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var catalog: CatalogOptions

    func run() async throws {
        MeshLogging.bootstrap(role: MeshRoles.meshctl, level: .warning)
        let client = try OpsMeshClient(connection: connection, label: "meshctl.status")
        let envelopes = try await client.readAll([MeshTopics.objectives, MeshTopics.plans]).map(\.envelope)
        let view = OpsObjectiveStatus(correlationID: correlationID, envelopes: envelopes)
        guard view.found else {
            opsWarn("no objective \(correlationID) on mesh.objectives or mesh.plans")
            throw ExitCode(4)
        }
        let waiting = try await unstaffed(view, client: client)
        if json {
            opsPrint(try Self.json(view, unstaffed: waiting))
            return
        }
        var header = "objective \(correlationID): \(view.state)"
        if let objective = view.objective { header += " — \"\(objective.title)\" (playbook \(objective.playbook))" }
        if let plan = view.created { header += "\nplan \(plan.planID), playbook hash \(plan.playbookHash.prefix(16))…" }
        opsPrint(header)
        let rows = view.rows
        if !rows.isEmpty {
            opsPrint(OpsTable.render([["TASK", "ROLE", "STATE", "ATTEMPT", "DETAIL"]]
                + rows.map { [$0.task, $0.role, $0.state, String($0.attempt), ObjectiveFollower.oneLine($0.detail)] }))
        }
        for (task, why) in waiting.sorted(by: { $0.key < $1.key }) { opsPrint("task \(task) waits: \(why)") }
        if let detail = view.status?.detail, !detail.isEmpty { opsPrint("plan: \(ObjectiveFollower.oneLine(detail))") }
        if let cancel = view.cancelRequested { opsPrint("cancel requested by \(cancel.requestedBy): \(cancel.reason)") }
        if let completed = view.completed {
            opsPrint("completed: \(ObjectiveFollower.oneLine(completed.summary))")
            for artifact in completed.artifacts {
                opsPrint("  artifact \(artifact.name) (\(artifact.mediaType), \(artifact.content.count) bytes)")
            }
        }
        if let failed = view.failed {
            opsPrint("failed: task \(failed.failedTaskID.isEmpty ? "-" : failed.failedTaskID) "
                     + "\(OpsNames.state(failed.finalState)): \(failed.reason)")
        }
    }

    /// Task id → why nothing will pick it up, for each task still to be done whose role has
    /// no live instance. Empty once the objective ended, or when the catalog is not at hand
    /// (status also works away from the repository, without the liveness check).
    private func unstaffed(_ view: OpsObjectiveStatus, client: OpsMeshClient) async throws -> [String: String] {
        let open = view.rows.filter { ["submitted", "working"].contains($0.state) && $0.role != "?" }
        guard view.completed == nil, view.failed == nil, !open.isEmpty, let loaded = try? catalog.load() else { return [:] }
        let now = WallClock.nowUnixMicros()
        let roster = try await client.roster(catalog: loaded, now: now)
        var waiting: [String: String] = [:]
        for row in open { if let why = roster.absence(of: row.role, now: now) { waiting[row.task] = why } }
        return waiting
    }

    static func json(_ view: OpsObjectiveStatus, unstaffed: [String: String] = [:]) throws -> String {
        var document: [String: Any] = ["correlation_id": view.correlationID, "state": view.state]
        if let objective = view.objective {
            document["title"] = objective.title
            document["playbook"] = objective.playbook
            document["submitted_by"] = objective.submittedBy
        }
        if let plan = view.created {
            document["plan_id"] = plan.planID
            document["playbook_hash"] = plan.playbookHash
        }
        document["tasks"] = view.rows.map { row in
            var task: [String: Any] = ["task": row.task, "role": row.role, "state": row.state, "attempt": Int(row.attempt),
                                       "detail": row.detail]
            if let why = unstaffed[row.task] { task["waits_for"] = why }
            return task
        }
        if let detail = view.status?.detail { document["detail"] = detail }
        if let completed = view.completed {
            document["summary"] = completed.summary
            document["artifacts"] = completed.artifacts.map {
                ["name": $0.name, "media_type": $0.mediaType, "bytes": $0.content.count] as [String: Any]
            }
        }
        if let failed = view.failed {
            document["failed_task"] = failed.failedTaskID
            document["reason"] = failed.reason
        }
        let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
