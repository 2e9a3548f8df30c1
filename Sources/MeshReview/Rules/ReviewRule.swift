import Foundation
import MeshProcess
import MeshWire

/// One declarative review rule: what it checks (`kind`), for which roles, and what a match
/// means (`severity` of its findings, `onMatch` decision).
public struct ReviewRule: Sendable, Hashable {
    /// Stable id (`[a-z0-9._-]+`), named in findings and in `decidedBy`.
    public var id: String
    public var description: String
    /// Roles the rule applies to; empty means every role.
    public var roles: [String]
    public var severity: Severity
    /// `.requestChanges` or `.reject`.
    public var onMatch: Decision
    public var kind: ReviewRuleKind
    /// Where the rule was declared, `file:line`, for operators.
    public var source: String

    public init(id: String, description: String, roles: [String] = [], severity: Severity, onMatch: Decision,
                kind: ReviewRuleKind, source: String = "") {
        self.id = id
        self.description = description
        self.roles = roles
        self.severity = severity
        self.onMatch = onMatch
        self.kind = kind
        self.source = source
    }

    /// Whether the rule is evaluated for results of `role`.
    public func applies(to role: String) -> Bool { roles.isEmpty || roles.contains(role) }
}

/// What a rule checks.
public enum ReviewRuleKind: Sendable, Hashable {
    /// Each selector must match at least one artifact.
    case requiredArtifacts([ArtifactSelector])
    /// No single artifact may be larger than this many bytes.
    case maxArtifactSize(bytes: Int)
    /// All artifacts together may not be larger than this many bytes.
    case maxTotalSize(bytes: Int)
    /// None of the markers may appear in the summary or in the text of selected artifacts.
    case forbiddenMarkers(markers: [String], caseSensitive: Bool, scope: ArtifactSelector?)
    /// Artifacts matching `sources` (and not `tests`) require at least one matching `tests`.
    case codeWithoutTests(sources: [String], tests: [String])
    /// The summary is empty or whitespace.
    case emptySummary
    /// The result's state is FAILED.
    case failedResult
    /// An external program judges the result (see `ExternalChecker`).
    case externalChecker(ExternalCheckerSpec)
    /// A model judges the result (see `ModelReviewCheck`).
    case modelReview(ModelReviewSpec)
}

/// A `model_review` rule: which agent definition calls the model, the prompt, and the JSON
/// schema of the findings it must answer with (both files next to the rules).
public struct ModelReviewSpec: Sendable, Hashable {
    /// Agent definition (endpoint, model, budgets, egress), an absolute path.
    public var agentFile: String
    /// System prompt: what to look for. The result follows as the checker contract's JSON.
    public var prompt: String
    /// JSON schema of `{"findings": [{rule_id?, severity?, message, location?}]}`.
    public var findingsSchema: String
    /// Decision when the model cannot answer (`nil`: ignore, an info finding only).
    public var onFailure: Decision?

    public init(agentFile: String, prompt: String, findingsSchema: String, onFailure: Decision?) {
        self.agentFile = agentFile
        self.prompt = prompt
        self.findingsSchema = findingsSchema
        self.onFailure = onFailure
    }
}

/// Selects artifacts by name glob and/or media type (both must match when both are given).
public struct ArtifactSelector: Sendable, Hashable, CustomStringConvertible {
    /// Globs over the artifact name (`*`, `?`, `**`); any may match.
    public var globs: [String]
    /// Media types, `text/*` wildcards allowed; any may match.
    public var mediaTypes: [String]

    public init(globs: [String] = [], mediaTypes: [String] = []) {
        self.globs = globs
        self.mediaTypes = mediaTypes
    }

    public func matches(_ artifact: Artifact) -> Bool {
        (globs.isEmpty || globs.contains { Glob.matches($0, artifact.name) })
            && (mediaTypes.isEmpty || mediaTypes.contains { Self.mediaType($0, matches: artifact.mediaType) })
    }

    public var description: String {
        var parts: [String] = []
        if !globs.isEmpty { parts.append("name matching \(globs.map { "\"\($0)\"" }.joined(separator: " or "))") }
        if !mediaTypes.isEmpty { parts.append("media type \(mediaTypes.joined(separator: " or "))") }
        return parts.joined(separator: " and ")
    }

    private static func mediaType(_ pattern: String, matches type: String) -> Bool {
        let base = type.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        let pattern = pattern.lowercased()
        if pattern.hasSuffix("/*") { return base.hasPrefix(pattern.dropLast()) }
        return base == pattern
    }
}

/// An external checker program and its limits.
public struct ExternalCheckerSpec: Sendable, Hashable {
    /// Program and arguments; relative program paths and the working directory are the rule
    /// file's directory.
    public var command: ExternalCommand
    public var timeout: Duration
    /// Consecutive failures after which the checker is skipped for `coolDown`.
    public var failureThreshold: Int
    public var coolDown: Duration
    /// Decision when the checker itself fails (crash, timeout, bad output, breaker open);
    /// `nil` means the failure is reported as an informational finding only.
    public var onFailure: Decision?

    public init(command: ExternalCommand, timeout: Duration = .seconds(30), failureThreshold: Int = 3,
                coolDown: Duration = .seconds(60), onFailure: Decision? = .requestChanges) {
        self.command = command
        self.timeout = timeout
        self.failureThreshold = failureThreshold
        self.coolDown = coolDown
        self.onFailure = onFailure
    }
}
