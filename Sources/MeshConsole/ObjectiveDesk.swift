import Foundation
import MeshCatalog
import MeshTransport
import MeshWire

/// Publishes a person's objective to mesh.objectives, sealed by the console's role key and
/// naming the person as `submitted_by`, as `meshctl submit` does for someone at a terminal.
public struct ObjectiveDesk: Sendable {
    let publisher: MeshPublisher
    let source: String

    public init(publisher: MeshPublisher, instance: String) {
        self.publisher = publisher
        self.source = SourcePath.make(role: MeshRoles.console, instance: instance)
    }

    /// The objective's correlation id once the broker acknowledged it.
    public func submit(title: String, description: String, playbook: String, by person: String) async throws -> String {
        let correlationID = "obj-\(UUID().uuidString.prefix(8).lowercased())"
        let envelope = Envelope(
            source: source, correlationID: correlationID,
            payload: .objectiveSubmitted(ObjectiveSubmitted(
                objectiveID: correlationID, title: title, description: description, playbook: playbook, submittedBy: person)))
        try await publisher.publish(envelope, to: MeshTopics.objectives)
        return correlationID
    }
}
