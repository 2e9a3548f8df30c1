import MeshWire

/// A value with a compact binary snapshot form: ``write(to:)`` and ``init(from:)`` list the
/// same fields in the same order. Adding a stored property to one of these types means
/// adding it here too (`SnapshotCodingTests` counts the properties to catch a forgotten one).
protocol SnapshotCodable {
    func write(to writer: inout SnapshotWriter)
    init(from reader: inout SnapshotReader) throws
}

extension PlanState: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        writer.write(correlationID)
        writer.write(planID)
        writer.write(objective)
        writer.write(playbookName)
        writer.write(playbookVersion)
        writer.write(playbookHash)
        writer.write(tasks)
        writer.write(approvals)
        writer.write(processedEventIDs)
        writer.write(outcome)
    }

    init(from reader: inout SnapshotReader) throws {
        self.init(
            correlationID: try reader.read(String.self), planID: try reader.read(String.self),
            objective: try reader.read(ObjectiveSubmitted.self), playbookName: try reader.read(String.self),
            playbookVersion: try reader.read(Int.self), playbookHash: try reader.read(String.self),
            tasks: try reader.read([TaskRecord].self), approvals: try reader.read([ApprovalRecord].self),
            processedEventIDs: try reader.read([String].self), outcome: try reader.read(PlanOutcome?.self))
    }
}

extension TaskRecord: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        writer.write(spec)
        writer.write(state)
        writer.write(attempt)
        writer.write(result)
        writer.write(verdicts)
        writer.write(acceptedArtifacts)
        writer.write(detail)
        writer.write(assignmentClassified)  // format 3
        writer.write(assignedAtUnixMicros)  // format 4
        writer.write(assignmentEnvelopeID)  // format 4
    }

    init(from reader: inout SnapshotReader) throws {
        self.init(spec: try reader.read(TaskSpec.self))
        state = try reader.read(TaskState.self)
        attempt = try reader.read(UInt32.self)
        result = try reader.read(RecordedResult?.self)
        verdicts = try reader.read([RecordedVerdict].self)
        acceptedArtifacts = try reader.read([Artifact].self)
        detail = try reader.read(String.self)
        assignmentClassified = reader.formatVersion >= 3 ? try reader.read(Bool.self) : false
        assignedAtUnixMicros = reader.formatVersion >= 4 ? try reader.read(Int64.self) : 0
        assignmentEnvelopeID = reader.formatVersion >= 4 ? try reader.read(String.self) : ""
    }
}

extension TaskSpec: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        writer.write(id)
        writer.write(role.rawValue)
        writer.write(instructions)
        writer.write(dependsOn)
        writer.write(requiredVerdicts)
        writer.write(maxAttempts)
        writer.write(riskClass)
        writer.write(approval)
        writer.write(safetyClass)  // format 3
        writer.write(assignmentTimeoutMicros)  // format 4
        writer.write(modelBudget.maxTokens)  // format 5
        writer.write(modelBudget.maxCost.bitPattern)
    }

    init(from reader: inout SnapshotReader) throws {
        id = try reader.read(String.self)
        let roleName = try reader.read(String.self)
        guard !roleName.isEmpty else { throw reader.malformed("a task without an agent role") }
        role = AgentRole(roleName)
        instructions = try reader.read(String.self)
        dependsOn = try reader.read([String].self)
        requiredVerdicts = try reader.read([VerdictKind].self)
        maxAttempts = try reader.read(UInt32.self)
        riskClass = try reader.read(RiskClass.self)
        approval = try reader.read(ApprovalPolicy?.self)
        safetyClass = reader.formatVersion >= 3 ? try reader.read(SafetyClass.self) : .unspecified
        assignmentTimeoutMicros = reader.formatVersion >= 4
            ? try reader.read(Int64.self) : PlaybookTask.defaultAssignmentTimeoutMicros
        modelBudget = reader.formatVersion >= 5
            ? TaskModelBudget(maxTokens: try reader.read(Int.self), maxCost: Double(bitPattern: try reader.read(UInt64.self)))
            : TaskModelBudget()
    }
}

extension ApprovalPolicy: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        writer.write(riskAtLeast != nil)
        if let riskAtLeast { writer.write(riskAtLeast) }
        writer.write(findingSeverityAtLeast != nil)
        if let findingSeverityAtLeast { writer.write(findingSeverityAtLeast) }
        writer.write(deadlineMicros)
    }

    init(from reader: inout SnapshotReader) throws {
        let riskAtLeast = try reader.read(Bool.self) ? try reader.read(RiskClass.self) : nil
        let severityAtLeast = try reader.read(Bool.self) ? try reader.read(Severity.self) : nil
        self.init(riskAtLeast: riskAtLeast, findingSeverityAtLeast: severityAtLeast,
                  deadlineMicros: try reader.read(Int64.self))
    }
}

extension RecordedResult: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        writer.write(envelopeID)
        writer.write(attempt)
        writer.write(agentID)
        writer.write(summary)
        writer.write(artifacts)
        writer.write(sha256)
    }

    init(from reader: inout SnapshotReader) throws {
        self.init(
            envelopeID: try reader.read(String.self), attempt: try reader.read(UInt32.self),
            agentID: try reader.read(String.self), summary: try reader.read(String.self),
            artifacts: try reader.read([Artifact].self), sha256: try reader.read([UInt8].self))
    }
}

extension RecordedVerdict: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        writer.write(envelopeID)
        writer.write(attempt)
        writer.write(kind)
        writer.write(decision)
        writer.write(findings)
        writer.write(resultEnvelopeID)
        writer.write(reviewerID)
        writer.write(approvalRequiredBy)  // format 3
    }

    init(from reader: inout SnapshotReader) throws {
        self.init(
            envelopeID: try reader.read(String.self), attempt: try reader.read(UInt32.self),
            kind: try reader.read(VerdictKind.self), decision: try reader.read(Decision.self),
            findings: try reader.read([Finding].self), resultEnvelopeID: try reader.read(String.self),
            reviewerID: try reader.read(String.self),
            approvalRequiredBy: reader.formatVersion >= 3 ? try reader.read([String].self) : [])
    }
}

extension ApprovalRecord: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        writer.write(approvalID)
        writer.write(taskID)
        writer.write(attempt)
        writer.write(resultEnvelopeID)
        writer.write(resultSHA256)
        writer.write(authorID)
        writer.write(reason)
        writer.write(deadlineUnixMicros)
        writer.write(requestEnvelopeID)
        writer.write(traceparent)
        writer.write(status.rawValue)
        writer.write(decidedBy)
    }

    init(from reader: inout SnapshotReader) throws {
        approvalID = try reader.read(String.self)
        taskID = try reader.read(String.self)
        attempt = try reader.read(UInt32.self)
        resultEnvelopeID = try reader.read(String.self)
        resultSHA256 = try reader.read([UInt8].self)
        authorID = try reader.read(String.self)
        reason = try reader.read(String.self)
        deadlineUnixMicros = try reader.read(Int64.self)
        requestEnvelopeID = try reader.read(String.self)
        traceparent = try reader.read(String.self)
        let statusName = try reader.read(String.self)
        guard let status = Status(rawValue: statusName) else { throw reader.malformed("unknown approval status \"\(statusName)\"") }
        self.status = status
        decidedBy = try reader.read(String.self)
    }
}

extension PlanOutcome: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        writer.write(state)
        writer.write(taskID)
        writer.write(text)
    }

    init(from reader: inout SnapshotReader) throws {
        self.init(state: try reader.read(TaskState.self), taskID: try reader.read(String.self), text: try reader.read(String.self))
    }
}

// MARK: - Wire values kept in a plan

extension ObjectiveSubmitted: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        writer.write(objectiveID)
        writer.write(title)
        writer.write(description)
        writer.write(playbook)
        writer.write(submittedBy)
        writer.write(parameters)
        writer.write(inputs)
    }

    init(from reader: inout SnapshotReader) throws {
        self.init(
            objectiveID: try reader.read(String.self), title: try reader.read(String.self),
            description: try reader.read(String.self), playbook: try reader.read(String.self),
            submittedBy: try reader.read(String.self), parameters: try reader.read([Attribute].self),
            inputs: try reader.read([Artifact].self))
    }
}

extension Attribute: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        writer.write(key)
        writer.write(value)
    }

    init(from reader: inout SnapshotReader) throws {
        self.init(try reader.read(String.self), try reader.read(String.self))
    }
}

extension Artifact: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        writer.write(name)
        writer.write(mediaType)
        writer.write(content)
        writer.write(sha256)
    }

    init(from reader: inout SnapshotReader) throws {
        self.init(
            name: try reader.read(String.self), mediaType: try reader.read(String.self),
            content: try reader.read([UInt8].self), sha256: try reader.read([UInt8].self))
    }
}

extension Finding: SnapshotCodable {
    func write(to writer: inout SnapshotWriter) {
        writer.write(ruleID)
        writer.write(severity)
        writer.write(message)
        writer.write(location)
    }

    init(from reader: inout SnapshotReader) throws {
        self.init(
            ruleID: try reader.read(String.self), severity: try reader.read(Severity.self),
            message: try reader.read(String.self), location: try reader.read(String.self))
    }
}
