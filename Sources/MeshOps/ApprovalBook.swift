import MeshCatalog
import MeshTransport
import MeshWire

/// Approval requests and decisions as read from mesh.approvals (first of each id wins, as the
/// orchestrator also takes the first decision).
public struct OpsApprovalBook: Sendable {
    public var requests: [(request: ApprovalRequested, envelope: Envelope)] = []
    public var decisions: [String: (decision: ApprovalDecision, envelope: Envelope)] = [:]

    public init(_ envelopes: [InboundEnvelope]) { add(envelopes) }

    /// Folds further envelopes in (first of each id wins).
    public mutating func add(_ envelopes: [InboundEnvelope]) {
        for inbound in envelopes {
            switch inbound.envelope.payload {
            case .approvalRequested(let request) where !requests.contains(where: { $0.request.approvalID == request.approvalID }):
                requests.append((request, inbound.envelope))
            case .approvalDecision(let decision) where decisions[decision.approvalID] == nil:
                decisions[decision.approvalID] = (decision, inbound.envelope)
            default:
                break
            }
        }
    }

    public static func read(_ client: OpsMeshClient) async throws -> OpsApprovalBook {
        OpsApprovalBook(try await client.readAll([MeshTopics.approvals]))
    }

    public var pending: [(request: ApprovalRequested, envelope: Envelope)] {
        requests.filter { decisions[$0.request.approvalID] == nil }
    }

    /// Ids of the requests of one objective still waiting on a person.
    public func pending(in correlationID: String) -> [String] {
        requests.filter { $0.envelope.correlationID == correlationID && decisions[$0.request.approvalID] == nil }.map(\.request.approvalID)
    }

    /// The request with `approvalID`, its envelope and its decision if any; refuses clearly
    /// (naming what is pending) when there is no such request.
    public func lookup(_ approvalID: String) throws -> (request: ApprovalRequested, envelope: Envelope, decision: ApprovalDecision?) {
        guard let found = requests.first(where: { $0.request.approvalID == approvalID }) else {
            let waiting = pending.map(\.request.approvalID)
            throw ApprovalRefusal(.unknown, "unknown approval id \(approvalID): no such request on mesh.approvals"
                                  + (waiting.isEmpty ? " (nothing is pending)" : "; pending: \(waiting.joined(separator: ", "))")
                                  + "; nothing was published")
        }
        return (found.request, found.envelope, decisions[approvalID]?.decision)
    }
}
