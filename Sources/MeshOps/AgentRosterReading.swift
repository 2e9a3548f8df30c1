import MeshCatalog
import MeshCLI
import MeshWire

extension OpsMeshClient {
    /// The roster from every card on the catalog's card topic (`meshctl agents`, `meshctl
    /// status` and the console's agents page).
    public func roster(catalog: Catalog, now: Int64) async throws -> AgentRoster {
        let type = PayloadKind.agentHeartbeat.rawValue
        guard let topic = catalog.topics(declaring: type).first?.name else {
            throw OpsFailure("the catalog declares no topic for agent cards (\(type))")
        }
        let cards = try await readAll([topic]).compactMap { inbound -> (AgentHeartbeat, Int64, String)? in
            guard case .agentHeartbeat(let card) = inbound.envelope.payload else { return nil }
            return (card, inbound.envelope.timeUnixMicros, inbound.opened.signer.principal)
        }
        return AgentRoster(cards: cards, nowUnixMicros: now)
    }
}
