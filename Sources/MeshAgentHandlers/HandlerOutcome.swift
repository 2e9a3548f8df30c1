import MeshSigning
import MeshWire

/// What one handler run produced, before it becomes a `TaskResult`.
public struct HandlerOutcome: Sendable, Hashable {
    /// Completed or failed; the two states a `TaskResult` may carry.
    public enum Status: Sendable, Hashable {
        case completed
        case failed
    }

    public var status: Status
    public var summary: String
    /// Produced files; `sha256` is (re)computed by `taskResult(for:agentID:)`.
    public var artifacts: [Artifact]
    /// Failure reason (for external handlers: what went wrong plus the stderr tail).
    public var error: String
    /// Free-form key/values a handler reported (`"attributes"` in the contract), for the
    /// worker to attach to the result envelope.
    public var attributes: [String: String]

    public init(status: Status, summary: String = "", artifacts: [Artifact] = [], error: String = "",
                attributes: [String: String] = [:]) {
        self.status = status
        self.summary = summary
        self.artifacts = artifacts
        self.error = error
        self.attributes = attributes
    }

    /// A successful run.
    public static func completed(summary: String, artifacts: [Artifact], attributes: [String: String] = [:]) -> HandlerOutcome {
        HandlerOutcome(status: .completed, summary: summary, artifacts: artifacts, attributes: attributes)
    }

    /// A failed run with its reason.
    public static func failed(_ error: String, summary: String = "") -> HandlerOutcome {
        HandlerOutcome(status: .failed, summary: summary, error: error)
    }

    /// The `TaskResult` for `task`, authored by `agentID`. Artifact hashes are computed here
    /// from the content, whatever a handler may have claimed.
    public func taskResult(for task: TaskAssigned, agentID: String) -> TaskResult {
        TaskResult(
            taskID: task.taskID, planID: task.planID, attempt: task.attempt,
            state: status == .completed ? .completed : .failed,
            summary: summary,
            artifacts: artifacts.map { HandlerArtifact.sealed($0) },
            error: error, agentID: agentID)
    }
}

/// Builds artifacts whose `sha256` matches their content.
public enum HandlerArtifact {
    /// A text artifact (UTF-8) with its SHA-256.
    public static func text(_ name: String, mediaType: String, _ text: String) -> Artifact {
        sealed(Artifact(name: name, mediaType: mediaType, content: Array(text.utf8)))
    }

    /// `artifact` with `sha256` recomputed from `content`.
    public static func sealed(_ artifact: Artifact) -> Artifact {
        var copy = artifact
        copy.sha256 = SHA256Digest.hash(artifact.content)
        return copy
    }
}
