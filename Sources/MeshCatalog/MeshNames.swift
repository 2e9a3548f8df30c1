// The few role and topic names the mesh's own code is built around.
//
// Everything else (agent roles, task topics, who consumes what) is looked up in the loaded
// catalog at run time. These names are structural: an executable *is* the orchestrator,
// `meshctl submit` writes objectives, the orchestrator engine addresses plans and approvals.
// `MeshNamesTests` checks every one against Topics/mesh.yaml (name and kind), and
// `CatalogLiteralTests` fails on any other role or topic name literal outside this module.

/// Role names of the mesh's own executables and people, as declared in `Topics/mesh.yaml`.
public enum MeshRoles {
    /// The orchestrator (`mesh-orchestrator`).
    public static let orchestrator = "orchestrator"
    /// The reviewer (`mesh-reviewer`).
    public static let reviewer = "reviewer"
    /// The compliance gate (`mesh-compliance`).
    public static let compliance = "compliance"
    /// The audit sink (`mesh-audit-sink`).
    public static let auditSink = "audit-sink"
    /// The operator CLI.
    public static let meshctl = "meshctl"
    /// The web console (`mesh-console`).
    public static let console = "console"
    /// A person signing approval decisions.
    public static let approver = "approver"

    /// Every name above with the kind the catalog must declare it with.
    public static let all: [(name: String, kind: RoleKind)] = [
        (orchestrator, .orchestrator), (reviewer, .reviewer), (compliance, .compliance), (auditSink, .audit),
        (meshctl, .operator), (console, .operator), (approver, .person),
    ]
}

/// Topic names the mesh's code addresses directly, as declared in `Topics/mesh.yaml`.
/// Task topics are not here: the task topic of an agent role is `Catalog.taskTopic(for:)`.
public enum MeshTopics {
    /// Objectives and cancel requests.
    public static let objectives = "mesh.objectives"
    /// Task results.
    public static let results = "mesh.results"
    /// Reviewer and compliance verdicts.
    public static let verdicts = "mesh.verdicts"
    /// Approval requests and decisions.
    public static let approvals = "mesh.approvals"
    /// The orchestrator's compacted plan snapshots.
    public static let changelog = "mesh.orchestrator.changelog"
    /// Plans and their progress.
    public static let plans = "mesh.plans"
    /// Operator actions.
    public static let operations = "mesh.operations"
    /// Agent cards.
    public static let agents = "mesh.agents"
    /// Dead letters (the catalog's one `dead_letter: true` topic).
    public static let deadLetter = "mesh.deadletter"

    /// The prefix the shipped catalog's topic names share. The audit sink subscribes to it as a
    /// pattern, so that a topic added later is audited from the next metadata refresh on.
    public static let namespacePrefix = "mesh."

    /// Every name above.
    public static let all = [objectives, results, verdicts, approvals, changelog, plans, operations, agents, deadLetter]
}
