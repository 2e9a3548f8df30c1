import Foundation
import MeshCatalog
import MeshKafka
import MeshTransport
import MeshWire

/// Records what people do in the console on mesh.operations, sealed with the console's role
/// key, so sign-ins, sign-outs and refused signatures sit in the audit trail next to what the
/// mesh did. The record is the catalog's operator-action type (ReplayRequested) with `mode`
/// naming the action (`console.sign-in`, …) and `requested_by` the person.
public struct OperationsLog: Sendable {
    public enum Action: String, Sendable {
        case signIn = "console.sign-in"
        case signInRefused = "console.sign-in-refused"
        case signOut = "console.sign-out"
        case signatureRefused = "console.signature-refused"
        case redriveRefused = "console.redrive-refused"
        case tokenRefused = "console.token-refused"
    }

    let publisher: MeshPublisher
    let source: String
    /// Refused bearer tokens recorded per replica: 10 a minute, the rest counted.
    private let tokenRefusals = SharedRecordingWindow(RecordingWindow(limit: 10, windowSeconds: 60))

    public init(publisher: MeshPublisher, instance: String) {
        self.publisher = publisher
        self.source = SourcePath.make(role: MeshRoles.console, instance: instance)
    }

    /// Records a refused bearer token, unless this minute's records of them are spent; then
    /// it is counted, and the count goes into the next one recorded.
    public func recordTokenRefused(tokenID: String, now: Int64) async throws {
        guard let notRecorded = tokenRefusals.admit(now: now) else { return }
        let reason = "unknown, revoked or malformed bearer token"
            + (notRecorded > 0 ? "; \(notRecorded) more refused since the last record, not recorded one by one" : "")
        try await record(.tokenRefused, person: "token:\(tokenID)", reason: reason)
    }

    /// Publishes one record; `objective` ties it to a plan when there is one.
    public func record(_ action: Action, person: String, reason: String, objective: String = "") async throws {
        let envelope = Envelope(
            source: source, correlationID: objective.isEmpty ? "console-\(Envelope.makeID())" : objective,
            payload: .replayRequested(ReplayRequested(
                replayID: Envelope.makeID(), objectiveID: objective, requestedBy: person, mode: action.rawValue,
                targetTopic: "", envelopeCount: 0, reason: reason)))
        try await publisher.publish(envelope, to: MeshTopics.operations)
    }
}
