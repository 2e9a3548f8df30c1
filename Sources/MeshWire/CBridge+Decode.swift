import CMeshProto

// protobuf-c struct graph -> Swift values. The graph comes from untrusted bytes, so every
// pointer is checked before use and every count is paired with its pointer; nothing here
// force-unwraps or does trapping arithmetic on C data.

enum CDecode {
    typealias CString = UnsafeMutablePointer<CChar>

    @inline(__always)
    static func malformed(_ detail: String, in message: String = "Envelope") -> WireError {
        .malformedProtobuf(message: message, detail: detail)
    }

    /// Validating conversion: protobuf strings must be UTF-8, and repairing them would let
    /// two different byte strings map to the same value under one signature.
    @inline(__always)
    static func string(_ pointer: CString?, _ field: String) throws(WireError) -> String {
        guard let pointer, pointer.pointee != 0 else { return "" }
        guard let value = String(validatingCString: pointer) else { throw .invalidUTF8(field: field) }
        return value
    }

    @inline(__always)
    static func bytes(_ data: ProtobufCBinaryData, _ field: String) throws(WireError) -> [UInt8] {
        let count = data.len
        if count == 0 { return [] }
        guard count > 0, let base = data.data else { throw malformed("\(field): length without data") }
        return Array(UnsafeBufferPointer(start: base, count: count))
    }

    static func strings(_ count: Int, _ pointer: UnsafeMutablePointer<CString?>?,
                        _ field: String) throws(WireError) -> [String] {
        if count == 0 { return [] }
        guard count > 0, let pointer else { throw malformed("\(field): count without elements") }
        var values = [String]()
        values.reserveCapacity(count)
        for i in 0..<count {
            guard let element = pointer[i] else { throw malformed("\(field)[\(i)] is null") }
            values.append(try string(element, field))
        }
        return values
    }

    static func messages<C, T>(
        _ count: Int, _ pointer: UnsafeMutablePointer<UnsafeMutablePointer<C>?>?, _ field: String,
        _ convert: (UnsafeMutablePointer<C>) throws(WireError) -> T
    ) throws(WireError) -> [T] {
        if count == 0 { return [] }
        guard count > 0, let pointer else { throw malformed("\(field): count without elements") }
        var values = [T]()
        values.reserveCapacity(count)
        for i in 0..<count {
            guard let element = pointer[i] else { throw malformed("\(field)[\(i)] is null") }
            values.append(try convert(element))
        }
        return values
    }

    @inline(__always)
    static func wireEnum<E: WireEnum, C: RawRepresentable>(_ value: C) -> E
    where C.RawValue: FixedWidthInteger {
        E(rawValue: Int32(truncatingIfNeeded: value.rawValue))
    }

    // MARK: Shared messages

    static func attribute(_ c: UnsafeMutablePointer<Agentmesh__V1__Attribute>) throws(WireError) -> Attribute {
        Attribute(try string(c.pointee.key, "attribute.key"), try string(c.pointee.value, "attribute.value"))
    }

    static func artifact(_ c: UnsafeMutablePointer<Agentmesh__V1__Artifact>) throws(WireError) -> Artifact {
        Artifact(name: try string(c.pointee.name, "artifact.name"),
                 mediaType: try string(c.pointee.media_type, "artifact.media_type"),
                 content: try bytes(c.pointee.content, "artifact.content"),
                 sha256: try bytes(c.pointee.sha256, "artifact.sha256"))
    }

    static func finding(_ c: UnsafeMutablePointer<Agentmesh__V1__Finding>) throws(WireError) -> Finding {
        Finding(ruleID: try string(c.pointee.rule_id, "finding.rule_id"),
                severity: wireEnum(c.pointee.severity),
                message: try string(c.pointee.message, "finding.message"),
                location: try string(c.pointee.location, "finding.location"))
    }

    static func signature(_ c: UnsafeMutablePointer<Agentmesh__V1__Signature>) throws(WireError) -> Signature {
        Signature(keyID: try string(c.pointee.key_id, "signature.key_id"),
                  algorithm: wireEnum(c.pointee.algorithm),
                  signature: try bytes(c.pointee.signature, "signature.signature"))
    }

    static func plannedTask(_ c: UnsafeMutablePointer<Agentmesh__V1__PlannedTask>) throws(WireError) -> PlannedTask {
        let m = c.pointee
        var verdicts = [VerdictKind]()
        if m.n_required_verdicts != 0 {
            guard m.n_required_verdicts > 0, let kinds = m.required_verdicts else {
                throw malformed("planned_task.required_verdicts: count without elements")
            }
            verdicts.reserveCapacity(m.n_required_verdicts)
            for i in 0..<m.n_required_verdicts { verdicts.append(wireEnum(kinds[i])) }
        }
        return PlannedTask(
            taskID: try string(m.task_id, "planned_task.task_id"),
            role: try string(m.role, "planned_task.role"),
            instructions: try string(m.instructions, "planned_task.instructions"),
            dependsOn: try strings(m.n_depends_on, m.depends_on, "planned_task.depends_on"),
            requiredVerdicts: verdicts,
            maxAttempts: m.max_attempts,
            riskClass: wireEnum(m.risk_class),
            safetyClass: wireEnum(m.safety_class))
    }

    static func taskStatus(_ c: UnsafeMutablePointer<Agentmesh__V1__TaskStatus>) throws(WireError) -> TaskStatus {
        TaskStatus(taskID: try string(c.pointee.task_id, "task_status.task_id"),
                   state: wireEnum(c.pointee.state),
                   attempt: c.pointee.attempt,
                   detail: try string(c.pointee.detail, "task_status.detail"))
    }

    // MARK: Envelope

    static func envelope(_ c: UnsafeMutablePointer<Agentmesh__V1__Envelope>) throws(WireError) -> Envelope {
        let m = c.pointee
        // Cheap structural checks first so hostile input is rejected before any allocation.
        let id = try string(m.id, "id")
        let source = try string(m.source, "source")
        let specVersion = try string(m.spec_version, "spec_version")
        let correlationID = try string(m.correlation_id, "correlation_id")
        try Contract.checkHeader(id: id, source: source, specVersion: specVersion,
                                 correlationID: correlationID, schemaVersion: m.schema_version)
        let type = try string(m.type, "type")
        guard !type.isEmpty else { throw .missingRequiredField("type") }
        let caseNumber = UInt32(truncatingIfNeeded: m.payload_case.rawValue)
        guard caseNumber != 0 else { throw missingPayload(m.base) }
        guard let kind = PayloadKind(fieldNumber: caseNumber) else {
            throw malformed("payload_case \(caseNumber) is not a known oneof member")
        }
        guard type == kind.rawValue else { throw .typeMismatch(type: type, payloadKind: kind) }

        let envelope = Envelope(
            id: id,
            source: source,
            correlationID: correlationID,
            causationID: try string(m.causation_id, "causation_id"),
            subject: try string(m.subject, "subject"),
            traceparent: try string(m.traceparent, "traceparent"),
            timeUnixMicros: m.time_unix_micros,
            attributes: try messages(m.n_attributes, m.attributes, "attributes", attribute),
            specVersion: specVersion,
            schemaVersion: m.schema_version,
            payload: try payload(m, kind))
        try Contract.checkObjective(envelope.payload, correlationID: correlationID)
        return envelope
    }

    /// Distinguishes "producer forgot the payload" from "producer is newer than us": a newer
    /// oneof member arrives as an unknown field numbered in the payload range (20+).
    private static func missingPayload(_ base: ProtobufCMessage) -> WireError {
        if base.n_unknown_fields > 0, let unknown = base.unknown_fields {
            for i in 0..<Int(base.n_unknown_fields) where unknown[i].tag >= 20 {
                return .unknownPayload(fieldNumber: unknown[i].tag)
            }
        }
        return .missingRequiredField("payload")
    }

    private static func member<C>(_ pointer: UnsafeMutablePointer<C>?, _ kind: PayloadKind)
        throws(WireError) -> UnsafeMutablePointer<C>
    {
        guard let pointer else { throw malformed("payload case \(kind.fieldNumber) set without a message") }
        return pointer
    }

    private static func payload(_ m: Agentmesh__V1__Envelope, _ kind: PayloadKind) throws(WireError) -> Payload {
        switch kind {
        case .objectiveSubmitted:
            let p = try member(m.objective_submitted, kind).pointee
            return .objectiveSubmitted(ObjectiveSubmitted(
                objectiveID: try string(p.objective_id, "objective_submitted.objective_id"),
                title: try string(p.title, "objective_submitted.title"),
                description: try string(p.description, "objective_submitted.description"),
                playbook: try string(p.playbook, "objective_submitted.playbook"),
                submittedBy: try string(p.submitted_by, "objective_submitted.submitted_by"),
                parameters: try messages(p.n_parameters, p.parameters, "objective_submitted.parameters", attribute),
                inputs: try messages(p.n_inputs, p.inputs, "objective_submitted.inputs", artifact)))

        case .objectiveCancelRequested:
            let p = try member(m.objective_cancel_requested, kind).pointee
            return .objectiveCancelRequested(ObjectiveCancelRequested(
                objectiveID: try string(p.objective_id, "objective_cancel_requested.objective_id"),
                requestedBy: try string(p.requested_by, "objective_cancel_requested.requested_by"),
                reason: try string(p.reason, "objective_cancel_requested.reason")))

        case .planCreated:
            let p = try member(m.plan_created, kind).pointee
            return .planCreated(PlanCreated(
                planID: try string(p.plan_id, "plan_created.plan_id"),
                objectiveID: try string(p.objective_id, "plan_created.objective_id"),
                playbook: try string(p.playbook, "plan_created.playbook"),
                playbookHash: try string(p.playbook_hash, "plan_created.playbook_hash"),
                tasks: try messages(p.n_tasks, p.tasks, "plan_created.tasks", plannedTask)))

        case .planStatus:
            let p = try member(m.plan_status, kind).pointee
            return .planStatus(PlanStatus(
                planID: try string(p.plan_id, "plan_status.plan_id"),
                tasks: try messages(p.n_tasks, p.tasks, "plan_status.tasks", taskStatus),
                detail: try string(p.detail, "plan_status.detail")))

        case .planCompleted:
            let p = try member(m.plan_completed, kind).pointee
            return .planCompleted(PlanCompleted(
                planID: try string(p.plan_id, "plan_completed.plan_id"),
                summary: try string(p.summary, "plan_completed.summary"),
                artifacts: try messages(p.n_artifacts, p.artifacts, "plan_completed.artifacts", artifact)))

        case .planFailed:
            let p = try member(m.plan_failed, kind).pointee
            return .planFailed(PlanFailed(
                planID: try string(p.plan_id, "plan_failed.plan_id"),
                failedTaskID: try string(p.failed_task_id, "plan_failed.failed_task_id"),
                reason: try string(p.reason, "plan_failed.reason"),
                finalState: wireEnum(p.final_state)))

        case .taskAssigned:
            let p = try member(m.task_assigned, kind).pointee
            return .taskAssigned(TaskAssigned(
                taskID: try string(p.task_id, "task_assigned.task_id"),
                planID: try string(p.plan_id, "task_assigned.plan_id"),
                role: try string(p.role, "task_assigned.role"),
                instructions: try string(p.instructions, "task_assigned.instructions"),
                attempt: p.attempt,
                inputs: try messages(p.n_inputs, p.inputs, "task_assigned.inputs", artifact),
                feedback: try messages(p.n_feedback, p.feedback, "task_assigned.feedback", finding),
                deadlineUnixMicros: p.deadline_unix_micros))

        case .taskResult:
            let p = try member(m.task_result, kind).pointee
            return .taskResult(TaskResult(
                taskID: try string(p.task_id, "task_result.task_id"),
                planID: try string(p.plan_id, "task_result.plan_id"),
                attempt: p.attempt,
                state: wireEnum(p.state),
                summary: try string(p.summary, "task_result.summary"),
                artifacts: try messages(p.n_artifacts, p.artifacts, "task_result.artifacts", artifact),
                error: try string(p.error, "task_result.error"),
                agentID: try string(p.agent_id, "task_result.agent_id")))

        case .verdict:
            let p = try member(m.verdict, kind).pointee
            return .verdict(Verdict(
                taskID: try string(p.task_id, "verdict.task_id"),
                planID: try string(p.plan_id, "verdict.plan_id"),
                attempt: p.attempt,
                kind: wireEnum(p.kind),
                decision: wireEnum(p.decision),
                findings: try messages(p.n_findings, p.findings, "verdict.findings", finding),
                resultEnvelopeID: try string(p.result_envelope_id, "verdict.result_envelope_id"),
                policyBundleHash: try string(p.policy_bundle_hash, "verdict.policy_bundle_hash"),
                decidedByRules: try strings(p.n_decided_by_rules, p.decided_by_rules, "verdict.decided_by_rules"),
                reviewerID: try string(p.reviewer_id, "verdict.reviewer_id"),
                approvalRequiredBy: try strings(
                    p.n_approval_required_by, p.approval_required_by, "verdict.approval_required_by")))

        case .approvalRequested:
            let p = try member(m.approval_requested, kind).pointee
            return .approvalRequested(ApprovalRequested(
                approvalID: try string(p.approval_id, "approval_requested.approval_id"),
                taskID: try string(p.task_id, "approval_requested.task_id"),
                planID: try string(p.plan_id, "approval_requested.plan_id"),
                attempt: p.attempt,
                resultEnvelopeID: try string(p.result_envelope_id, "approval_requested.result_envelope_id"),
                resultSHA256: try bytes(p.result_sha256, "approval_requested.result_sha256"),
                reason: try string(p.reason, "approval_requested.reason"),
                deadlineUnixMicros: p.deadline_unix_micros,
                authorID: try string(p.author_id, "approval_requested.author_id")))

        case .approvalDecision:
            let p = try member(m.approval_decision, kind).pointee
            return .approvalDecision(ApprovalDecision(
                approvalID: try string(p.approval_id, "approval_decision.approval_id"),
                decision: wireEnum(p.decision),
                signerID: try string(p.signer_id, "approval_decision.signer_id"),
                printedName: try string(p.printed_name, "approval_decision.printed_name"),
                meaning: try string(p.meaning, "approval_decision.meaning"),
                signedAtUnixMicros: p.signed_at_unix_micros,
                reason: try string(p.reason, "approval_decision.reason"),
                resultSHA256: try bytes(p.result_sha256, "approval_decision.result_sha256"),
                signature: try p.signature.map { s throws(WireError) in try signature(s) }))

        case .agentHeartbeat:
            let p = try member(m.agent_heartbeat, kind).pointee
            return .agentHeartbeat(AgentHeartbeat(
                agentID: try string(p.agent_id, "agent_heartbeat.agent_id"),
                role: try string(p.role, "agent_heartbeat.role"),
                version: try string(p.version, "agent_heartbeat.version"),
                inFlight: p.in_flight,
                processed: p.processed,
                startedUnixMicros: p.started_unix_micros,
                handler: try string(p.handler, "agent_heartbeat.handler"),
                model: try string(p.model, "agent_heartbeat.model"),
                capabilities: try strings(p.n_capabilities, p.capabilities, "agent_heartbeat.capabilities"),
                lastError: try string(p.last_error, "agent_heartbeat.last_error"),
                lastErrorUnixMicros: p.last_error_unix_micros,
                intervalMillis: p.interval_millis,
                stopping: p.stopping != 0))

        case .replayRequested:
            let p = try member(m.replay_requested, kind).pointee
            return .replayRequested(ReplayRequested(
                replayID: try string(p.replay_id, "replay_requested.replay_id"),
                objectiveID: try string(p.objective_id, "replay_requested.objective_id"),
                requestedBy: try string(p.requested_by, "replay_requested.requested_by"),
                mode: try string(p.mode, "replay_requested.mode"),
                targetTopic: try string(p.target_topic, "replay_requested.target_topic"),
                firstSequence: p.first_sequence,
                lastSequence: p.last_sequence,
                envelopeCount: p.envelope_count,
                reason: try string(p.reason, "replay_requested.reason")))

        case .orchestratorSnapshot:
            let p = try member(m.orchestrator_snapshot, kind).pointee
            return .orchestratorSnapshot(OrchestratorSnapshot(
                formatVersion: p.format_version,
                state: try bytes(p.state, "orchestrator_snapshot.state"),
                lastEventID: try string(p.last_event_id, "orchestrator_snapshot.last_event_id")))
        }
    }

    // MARK: SealedEnvelope

    static func sealed(_ c: UnsafeMutablePointer<Agentmesh__V1__SealedEnvelope>) throws(WireError) -> SealedEnvelope {
        let m = c.pointee
        try Contract.checkSealed(formatVersion: m.format_version, envelopeCount: m.envelope.len,
                                 signatureCount: m.n_signatures)
        let envelope = try bytes(m.envelope, "envelope")
        let signatures = try messages(m.n_signatures, m.signatures, "signatures", signature)
        return SealedEnvelope(envelope: envelope, signatures: signatures, formatVersion: m.format_version)
    }
}
