import MeshAgentHandlers
import MeshRuntime
import MeshSigning
import MeshTransport
import MeshWire

/// Turns a task assignment into a task result through the configured handler. A handler
/// that crashes, hangs or prints garbage yields a FAILED result, never a crashed agent.
struct AgentRoleHandler: RoleHandler {
    static let roles = ["coding", "testing", "security", "documentation", "ux", "discovery"]

    let role: String
    let instanceID: String
    let taskHandler: any TaskHandler

    func handle(_ inbound: InboundEnvelope) async throws -> [OutboundEnvelope] {
        guard case .taskAssigned(let task) = inbound.envelope.payload, task.role == role else { return [] }
        let outcome = await taskHandler.handle(
            task, context: HandlerContext(correlationID: inbound.envelope.correlationID, agentID: instanceID))
        let envelope = Envelope(
            id: DerivedID.make(causeID: inbound.envelope.id, role: role, output: "result"),
            source: SourcePath.make(role: role, instance: instanceID), correlationID: inbound.envelope.correlationID,
            causationID: inbound.envelope.id, subject: task.taskID, traceparent: inbound.envelope.traceparent,
            payload: .taskResult(outcome.taskResult(for: task, agentID: instanceID)))
        return [OutboundEnvelope(topic: "mesh.results", envelope: envelope)]
    }
}
