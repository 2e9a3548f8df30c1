import MeshAgentHandlers
import MeshRuntime
import MeshSigning
import MeshTransport
import MeshWire

/// Turns a task assignment into a task result through the configured handler. A handler
/// that crashes, hangs or prints garbage yields a FAILED result, never a crashed agent.
struct AgentRoleHandler: RoleHandler {
    let role: String
    let instanceID: String
    /// Where results go: the catalog's topic for task results from this role.
    let resultTopic: String
    let taskHandler: any TaskHandler

    func handle(_ inbound: InboundEnvelope) async throws -> [OutboundEnvelope] {
        guard case .taskAssigned(let task) = inbound.envelope.payload, task.role == role else { return [] }
        let outcome = await taskHandler.handle(task, context: HandlerContext(
            correlationID: inbound.envelope.correlationID, agentID: instanceID,
            classification: TaskClassification(attributes: inbound.envelope.attributes),
            modelBudget: TaskModelBudget(attributes: inbound.envelope.attributes)))
        let id = DerivedID.make(causeID: inbound.envelope.id, role: role, output: "result")
        let envelope = Envelope(
            id: id, source: SourcePath.make(role: role, instance: instanceID), correlationID: inbound.envelope.correlationID,
            causationID: inbound.envelope.id, subject: task.taskID,
            traceparent: TraceContext.traceparent(ofOutput: id, causedBy: inbound.envelope),
            attributes: Self.resultAttributes(handler: outcome.attributes, assignment: inbound.envelope.attributes),
            payload: .taskResult(outcome.taskResult(for: task, agentID: instanceID)))
        return [OutboundEnvelope(topic: resultTopic, envelope: envelope)]
    }

    /// The result envelope's attributes: what the handler reported (e.g. `requirement_ids`
    /// for IEC 62304 traceability), in key order, then the task's classification copied from
    /// the assignment. Keys under the mesh's reserved prefix come from the assignment only:
    /// a handler cannot reclassify its own work.
    static func resultAttributes(handler: [String: String], assignment: [Attribute]) -> [Attribute] {
        let reported = handler.filter { !$0.key.hasPrefix(TaskClassification.reservedPrefix) }
            .sorted { $0.key < $1.key }
            .map { Attribute($0.key, $0.value) }
        return reported + TaskClassification(attributes: assignment).attributes
    }
}
