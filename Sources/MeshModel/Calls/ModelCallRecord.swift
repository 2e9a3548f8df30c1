import Foundation
import MeshAgentHandlers
import MeshWire

/// One HTTP exchange with a model, as the record keeps it: hashes, usage, timing, and the
/// body as sent (after the egress guard) with the raw reply.
public struct ModelCallRecord: Sendable, Hashable {
    public var requestSHA256: String
    public var responseSHA256: String
    /// HTTP status, 0 when no response arrived.
    public var status: Int
    /// `ok` or the failure (its class and description).
    public var outcome: String
    public var promptTokens: Int
    public var completionTokens: Int
    public var latencyMilliseconds: Int
    public var cost: Double
    public var finishReason: String
    /// 0 for the first try of a request, 1… for its retries.
    public var retry: Int
    public var request: String
    public var response: String
}

/// Every call a task made, as the artifact `meshctl audit trace` and replay show: what the
/// model saw and what it said.
public struct ModelTranscript: Sendable, Hashable {
    /// Media type of the transcript artifact.
    public static let mediaType = "application/vnd.agentmesh.model-transcript+json"
    /// Artifact name; under `agentmesh/` so it cannot collide with a produced file.
    public static let artifactName = "agentmesh/model-transcript.json"

    public var endpoint: String
    public var flavour: ModelFlavour
    public var model: String
    public var egressPolicy: PHIEgress
    public var calls: [ModelCallRecord] = []
    /// Distinct values per identifier class the guard masked (or let through, for `allow`).
    public var egressCounts: [String: Int] = [:]

    public init(endpoint: String, flavour: ModelFlavour, model: String, egressPolicy: PHIEgress) {
        self.endpoint = endpoint
        self.flavour = flavour
        self.model = model
        self.egressPolicy = egressPolicy
    }

    public var artifact: Artifact {
        let object: [String: Any] = [
            "format": "agentmesh.model-transcript/v1",
            "endpoint": endpoint, "flavour": flavour.rawValue, "model": model,
            "egress": ["phi": egressPolicy.rawValue, "counts": egressCounts],
            "calls": calls.map { call -> [String: Any] in
                [
                    "request_sha256": call.requestSHA256, "response_sha256": call.responseSHA256, "status": call.status,
                    "outcome": call.outcome, "prompt_tokens": call.promptTokens, "completion_tokens": call.completionTokens,
                    "latency_ms": call.latencyMilliseconds, "cost": call.cost, "finish_reason": call.finishReason,
                    "retry": call.retry, "request": call.request, "response": call.response,
                ]
            },
        ]
        return HandlerArtifact.sealed(Artifact(name: Self.artifactName, mediaType: Self.mediaType, content: JSONBody.encode(object)))
    }

    /// Totals for the result's attributes (`model.*`, `egress.*`): numbers and hashes, never text.
    public var attributes: [String: String] {
        var attributes: [String: String] = [
            "model.endpoint": endpoint, "model.name": model, "model.calls": String(calls.count),
            "model.retries": String(calls.filter { $0.retry > 0 }.count),
            "model.prompt_tokens": String(calls.reduce(0) { $0 + $1.promptTokens }),
            "model.completion_tokens": String(calls.reduce(0) { $0 + $1.completionTokens }),
            "model.cost": String(format: "%.6f", calls.reduce(0) { $0 + $1.cost }),
            "model.latency_ms": String(calls.reduce(0) { $0 + $1.latencyMilliseconds }),
            "egress.phi": egressPolicy.rawValue,
        ]
        if let last = calls.last {
            attributes["model.finish_reason"] = last.finishReason
            attributes["model.request_sha256"] = last.requestSHA256
            attributes["model.response_sha256"] = last.responseSHA256
        }
        let verb = egressPolicy == .allow ? "allowed" : "masked"
        for (cls, count) in egressCounts { attributes["egress.\(verb).\(cls)"] = String(count) }
        return attributes
    }
}
