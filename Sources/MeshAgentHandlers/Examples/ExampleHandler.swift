import MeshWire

/// A built-in **example** handler: deterministic, plausible artifacts for one role, computed
/// from the instructions, inputs, attempt and feedback alone. For demos and tests only; real
/// work goes through `ExternalCommandHandler`.
///
/// Roles with a dedicated shape: `coding` (a Swift source file and its XCTest file),
/// `testing` (acceptance tests and a test plan), `security` (a threat model), `documentation`
/// (a markdown page), `ux` (a user-flow description), `discovery` (a discovery brief). Any
/// other role gets a markdown note. Behaviour can be steered with `ExampleMarkers`.
public struct ExampleHandler: TaskHandler {
    /// The role this instance answers for; tasks for other roles fail.
    public let role: String

    public init(role: String) { self.role = role }

    /// The roles with a dedicated artifact shape.
    public static let knownRoles = ExampleShape.allCases.map(\.rawValue)

    public func handle(_ task: TaskAssigned, context: HandlerContext) async -> HandlerOutcome {
        guard task.role == role else {
            return .failed("example \(role) handler received a task for role \"\(task.role)\"")
        }
        let markers: ExampleMarkers
        do { markers = try ExampleMarkers(parsing: task.instructions) } catch { return .failed("\(error)") }
        if let sleep = markers.sleep {
            do { try await Task.sleep(for: sleep) } catch { return .failed("example \(role) handler cancelled while sleeping") }
        }
        if markers.fail { return .failed("example \(role) handler failed on purpose ([example:fail])") }
        if markers.failOnFirstAttempt && task.attempt <= 1 {
            return .failed("example \(role) handler failed on purpose on attempt 1 ([example:fail-on-first-attempt])")
        }
        var draft = ExampleDraft(task: task, markers: markers)
        var artifacts = ExampleArtifacts.make(role: role, draft: draft)
        if markers.rejectMarker, !artifacts.isEmpty {
            artifacts[0].content += Array("\n\(draft.commentPrefix(for: artifacts[0]))\(ExampleMarkers.forbiddenMarker)\n".utf8)
        }
        draft.artifactCount = artifacts.count
        var attributes = ["handler": "example", "role": role]
        attributes["requirement_ids"] = markers.requirementIDs
        return .completed(summary: draft.summary(role: role), artifacts: artifacts.map(HandlerArtifact.sealed),
                          attributes: attributes)
    }
}
