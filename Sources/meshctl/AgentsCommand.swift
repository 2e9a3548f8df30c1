import ArgumentParser
import Foundation
import MeshOps
import MeshCLI
import MeshCatalog
import MeshLogging
import MeshWire

/// `meshctl agents`: the role instances of the mesh, from their agent cards.
struct AgentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agents",
        abstract: "List the mesh's role instances from their agent cards: live, stale or stopped.",
        discussion: """
            Every role instance publishes a signed card on start, every interval
            (10 s) and on stop, to the catalog's card topic (mesh.agents, compacted,
            keyed by instance). A card says who the instance is, what does its work
            (handler, model), what it consumes and produces, its load and its last
            error. Cards are believed only for the role that signed them.
              live     a card arrived within three of its intervals
              stale    none since: crashed, hung, or cut off from the broker
              stopped  its last card said it was shutting down (shown with --all)
            Examples:
              meshctl agents
              meshctl agents --role coding --wide
              meshctl agents --all --json
            Exit status: 0, or 4 when --role names a role with no live instance.
            """)

    @OptionGroup var catalog: CatalogOptions
    @OptionGroup var connection: ConnectionOptions
    @Option(help: ArgumentHelp("Only instances of this role.", valueName: "role")) var role: String?
    @Flag(help: "Also list stopped instances.") var all = false
    @Flag(help: "Also show capabilities and the last error in full.") var wide = false
    @Flag(help: "Print one JSON document.") var json = false

    func run() async throws {
        MeshLogging.bootstrap(role: MeshRoles.meshctl, level: .warning)
        let loaded = try catalog.load()
        let client = try OpsMeshClient(connection: connection, label: "meshctl.agents")
        let now = WallClock.nowUnixMicros()
        let roster = try await client.roster(catalog: loaded, now: now)
        let shown = roster.entries.filter { (all || $0.liveness != .stopped) && (role == nil || $0.card.role == role) }
        if json {
            opsPrint(try Self.json(shown))
        } else if shown.isEmpty {
            opsPrint(role.map { "no instances of \($0)" } ?? "no role instances have published a card")
        } else {
            opsPrint(OpsTable.render([Self.header(wide: wide)] + shown.map { Self.row($0, now: now, wide: wide) }))
        }
        if let role, roster.live(role).isEmpty { throw ExitCode(4) }
    }

    static func header(wide: Bool) -> [String] {
        ["ROLE", "INSTANCE", "STATUS", "AGE", "LAST SEEN", "VERSION", "HANDLER", "MODEL", "IN FLIGHT", "PROCESSED", "LAST ERROR"]
            + (wide ? ["CAPABILITIES"] : [])
    }

    static func row(_ entry: AgentRoster.Entry, now: Int64, wide: Bool) -> [String] {
        let card = entry.card
        let error = card.lastError.isEmpty ? "-" : ObjectiveFollower.oneLine(card.lastError)
        return [
            card.role, card.agentID, entry.liveness.rawValue,
            card.startedUnixMicros > 0 ? AgentRoster.age(now - card.startedUnixMicros) : "-",
            AgentRoster.age(entry.ageMicros) + " ago", card.version.isEmpty ? "-" : card.version,
            card.handler.isEmpty ? "-" : card.handler, card.model.isEmpty ? "-" : card.model,
            String(card.inFlight), String(card.processed), wide || error.count <= 48 ? error : String(error.prefix(47)) + "…",
        ] + (wide ? [card.capabilities.joined(separator: ",")] : [])
    }

    static func json(_ entries: [AgentRoster.Entry]) throws -> String {
        let document: [[String: Any]] = entries.map { entry in
            let card = entry.card
            return [
                "role": card.role, "instance": card.agentID, "status": entry.liveness.rawValue,
                "seen_unix_micros": entry.seenUnixMicros, "age_seconds": Double(entry.ageMicros) / 1e6,
                "started_unix_micros": card.startedUnixMicros, "version": card.version, "handler": card.handler,
                "model": card.model, "capabilities": card.capabilities, "in_flight": Int(card.inFlight),
                "processed": Int(card.processed), "last_error": card.lastError,
                "last_error_unix_micros": card.lastErrorUnixMicros, "interval_millis": Int(card.intervalMillis),
            ]
        }
        let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }
}
