// Small value messages shared by several payloads.

/// One key/value pair. Attributes are kept as an ordered array rather than a dictionary so
/// that encoding is deterministic and signatures over the bytes stay reproducible.
public struct Attribute: Sendable, Hashable, Codable {
    public var key: String
    public var value: String

    public init(_ key: String, _ value: String) {
        self.key = key
        self.value = value
    }
}

extension Array where Element == Attribute {
    /// First value for `key`; linear because attribute lists are short and order matters.
    public subscript(key key: String) -> String? {
        first { $0.key == key }?.value
    }
}

/// A produced or consumed file. `sha256` is carried, not computed here: the wire layer does
/// not hash so that hashing policy stays with the signing/compliance modules.
public struct Artifact: Sendable, Hashable, Codable {
    public var name: String
    public var mediaType: String
    public var content: [UInt8]
    /// SHA-256 of `content` (32 bytes when set).
    public var sha256: [UInt8]

    public init(name: String, mediaType: String = "application/octet-stream",
                content: [UInt8] = [], sha256: [UInt8] = []) {
        self.name = name
        self.mediaType = mediaType
        self.content = content
        self.sha256 = sha256
    }
}

/// One issue raised by a reviewer, a compliance rule or a human.
public struct Finding: Sendable, Hashable, Codable {
    public var ruleID: String
    public var severity: Severity
    public var message: String
    /// `artifact:line:column` or a field path.
    public var location: String

    public init(ruleID: String, severity: Severity, message: String, location: String = "") {
        self.ruleID = ruleID
        self.severity = severity
        self.message = message
        self.location = location
    }
}

/// A node of the plan DAG as created by the orchestrator.
public struct PlannedTask: Sendable, Hashable, Codable {
    public var taskID: String
    public var role: String
    public var instructions: String
    /// Task ids that must complete first.
    public var dependsOn: [String]
    public var requiredVerdicts: [VerdictKind]
    public var maxAttempts: UInt32
    public var riskClass: RiskClass
    public var safetyClass: SafetyClass

    public init(taskID: String, role: String, instructions: String = "", dependsOn: [String] = [],
                requiredVerdicts: [VerdictKind] = [], maxAttempts: UInt32 = 1,
                riskClass: RiskClass = .unspecified, safetyClass: SafetyClass = .unspecified) {
        self.taskID = taskID
        self.role = role
        self.instructions = instructions
        self.dependsOn = dependsOn
        self.requiredVerdicts = requiredVerdicts
        self.maxAttempts = maxAttempts
        self.riskClass = riskClass
        self.safetyClass = safetyClass
    }
}

/// Snapshot of one task inside a `PlanStatus`.
public struct TaskStatus: Sendable, Hashable, Codable {
    public var taskID: String
    public var state: TaskState
    public var attempt: UInt32
    public var detail: String

    public init(taskID: String, state: TaskState, attempt: UInt32 = 1, detail: String = "") {
        self.taskID = taskID
        self.state = state
        self.attempt = attempt
        self.detail = detail
    }
}

/// A signature over exact bytes (a sealed envelope's `envelope`, or an approval manifest).
public struct Signature: Sendable, Hashable, Codable {
    public var keyID: String
    public var algorithm: SignatureAlgorithm
    public var signature: [UInt8]

    public init(keyID: String, algorithm: SignatureAlgorithm, signature: [UInt8]) {
        self.keyID = keyID
        self.algorithm = algorithm
        self.signature = signature
    }
}
