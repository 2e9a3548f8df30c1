import Foundation
import MeshSigning
import MeshTransport
import MeshWire

/// A real key ring in a temporary folder, made the way `meshctl keys init` makes one.
struct TestKeyRing {
    let directory: String

    init(algorithm: SigningAlgorithm = .hmacSHA256, roles: [String] = ["orchestrator", "coding", "reviewer", "meshctl"],
         people: [String] = ["alice"]) throws {
        directory = NSTemporaryDirectory() + "agentmesh-keys-\(UUID().uuidString)"
        try KeyRingStore.initialize(at: directory, roles: roles, people: people, algorithm: algorithm)
    }

    func sealer(_ principal: String) throws -> EnvelopeSealer {
        EnvelopeSealer(signer: try KeyRingStore.loadSigner(principal: principal, from: directory))
    }

    func opener() throws -> EnvelopeOpener {
        EnvelopeOpener(trust: try KeyRingStore.loadTrustStore(from: directory))
    }
}

/// A coding agent's result of about `size` bytes, the typical mesh message.
func sampleResult(correlationID: String = "obj-1", size: Int = 1024, source: String = "/mesh/coding/agent-1") -> Envelope {
    let content = Array(String(repeating: "let x = 1\n", count: max(1, size / 10)).utf8.prefix(size))
    return Envelope(
        source: source, correlationID: correlationID, causationID: "task-env-1", subject: "task-1",
        traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        payload: .taskResult(TaskResult(
            taskID: "task-1", planID: "plan-1", state: .completed, summary: "implemented",
            artifacts: [Artifact(name: "Sources/Feature.swift", mediaType: "text/x-swift", content: content)],
            agentID: "agent-1")))
}
