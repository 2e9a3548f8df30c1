import CMeshProto

// Swift value -> protobuf-c struct graph. Every pointer written here points into the
// `Arena`, so the whole graph dies with it; nothing is freed field by field.

extension Arena {
    /// Leaves the struct's default (protobuf-c's shared empty string) for "" so empty
    /// fields cost nothing and are omitted on the wire, as proto3 requires.
    mutating func set(_ value: String, _ field: String,
                      _ slot: inout UnsafeMutablePointer<CChar>?) throws(WireError) {
        if value.isEmpty { return }
        guard let copy = cString(value) else { throw .embeddedNUL(field: field) }
        slot = copy
    }

    mutating func set(_ value: [UInt8], _ slot: inout ProtobufCBinaryData) {
        let copy = bytes(value)
        slot.len = copy.count
        slot.data = copy.data
    }

    mutating func strings(_ values: [String], _ field: String)
        throws(WireError) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
    {
        if values.isEmpty { return nil }
        let array = allocate(UnsafeMutablePointer<CChar>?.self, count: values.count)
        for (i, value) in values.enumerated() {
            guard let copy = cString(value) else { throw .embeddedNUL(field: field) }
            (array + i).initialize(to: copy)
        }
        return array
    }

    /// Builds a repeated message field: one contiguous block of structs plus the pointer
    /// array protobuf-c expects.
    mutating func messages<C, T>(
        _ values: [T],
        _ initialise: (UnsafeMutablePointer<C>?) -> Void,
        _ fill: (UnsafeMutablePointer<C>, T, inout Arena) throws(WireError) -> Void
    ) throws(WireError) -> UnsafeMutablePointer<UnsafeMutablePointer<C>?>? {
        if values.isEmpty { return nil }
        let structs = allocate(C.self, count: values.count)
        let pointers = allocate(UnsafeMutablePointer<C>?.self, count: values.count)
        for (i, value) in values.enumerated() {
            let element = structs + i
            initialise(element)
            try fill(element, value, &self)
            (pointers + i).initialize(to: element)
        }
        return pointers
    }

    mutating func message<C>(_ initialise: (UnsafeMutablePointer<C>?) -> Void) -> UnsafeMutablePointer<C> {
        let pointer = allocate(C.self, count: 1)
        initialise(pointer)
        return pointer
    }
}

/// Converts a Swift wire enum to the imported C enum, whatever integer type the importer
/// chose for it (unsigned on Linux); negative values keep their bit pattern.
@inline(__always)
func cEnum<C: RawRepresentable, E: WireEnum>(_ value: E) -> C where C.RawValue: FixedWidthInteger {
    // Imported C enums accept any raw value, so this never returns nil.
    C(rawValue: C.RawValue(truncatingIfNeeded: value.rawValue))!
}

enum CEncode {
    static func attribute(_ c: UnsafeMutablePointer<Agentmesh__V1__Attribute>, _ v: Attribute,
                          _ arena: inout Arena) throws(WireError) {
        try arena.set(v.key, "attribute.key", &c.pointee.key)
        try arena.set(v.value, "attribute.value", &c.pointee.value)
    }

    static func artifact(_ c: UnsafeMutablePointer<Agentmesh__V1__Artifact>, _ v: Artifact,
                         _ arena: inout Arena) throws(WireError) {
        try arena.set(v.name, "artifact.name", &c.pointee.name)
        try arena.set(v.mediaType, "artifact.media_type", &c.pointee.media_type)
        arena.set(v.content, &c.pointee.content)
        arena.set(v.sha256, &c.pointee.sha256)
    }

    static func finding(_ c: UnsafeMutablePointer<Agentmesh__V1__Finding>, _ v: Finding,
                        _ arena: inout Arena) throws(WireError) {
        try arena.set(v.ruleID, "finding.rule_id", &c.pointee.rule_id)
        c.pointee.severity = cEnum(v.severity)
        try arena.set(v.message, "finding.message", &c.pointee.message)
        try arena.set(v.location, "finding.location", &c.pointee.location)
    }

    static func signature(_ c: UnsafeMutablePointer<Agentmesh__V1__Signature>, _ v: Signature,
                          _ arena: inout Arena) throws(WireError) {
        try arena.set(v.keyID, "signature.key_id", &c.pointee.key_id)
        c.pointee.algorithm = cEnum(v.algorithm)
        arena.set(v.signature, &c.pointee.signature)
    }

    static func plannedTask(_ c: UnsafeMutablePointer<Agentmesh__V1__PlannedTask>, _ v: PlannedTask,
                            _ arena: inout Arena) throws(WireError) {
        try arena.set(v.taskID, "planned_task.task_id", &c.pointee.task_id)
        try arena.set(v.role, "planned_task.role", &c.pointee.role)
        try arena.set(v.instructions, "planned_task.instructions", &c.pointee.instructions)
        c.pointee.n_depends_on = v.dependsOn.count
        c.pointee.depends_on = try arena.strings(v.dependsOn, "planned_task.depends_on")
        if !v.requiredVerdicts.isEmpty {
            let kinds = arena.allocate(Agentmesh__V1__VerdictKind.self, count: v.requiredVerdicts.count)
            for (i, kind) in v.requiredVerdicts.enumerated() { (kinds + i).initialize(to: cEnum(kind)) }
            c.pointee.n_required_verdicts = v.requiredVerdicts.count
            c.pointee.required_verdicts = kinds
        }
        c.pointee.max_attempts = v.maxAttempts
        c.pointee.risk_class = cEnum(v.riskClass)
        c.pointee.safety_class = cEnum(v.safetyClass)
    }

    static func taskStatus(_ c: UnsafeMutablePointer<Agentmesh__V1__TaskStatus>, _ v: TaskStatus,
                           _ arena: inout Arena) throws(WireError) {
        try arena.set(v.taskID, "task_status.task_id", &c.pointee.task_id)
        c.pointee.state = cEnum(v.state)
        c.pointee.attempt = v.attempt
        try arena.set(v.detail, "task_status.detail", &c.pointee.detail)
    }

    // MARK: Envelope

    static func envelope(_ c: UnsafeMutablePointer<Agentmesh__V1__Envelope>, _ v: Envelope,
                         _ arena: inout Arena) throws(WireError) {
        try arena.set(v.id, "id", &c.pointee.id)
        try arena.set(v.source, "source", &c.pointee.source)
        try arena.set(v.specVersion, "spec_version", &c.pointee.spec_version)
        try arena.set(v.type, "type", &c.pointee.type)
        c.pointee.time_unix_micros = v.timeUnixMicros
        try arena.set(v.subject, "subject", &c.pointee.subject)
        try arena.set(v.correlationID, "correlation_id", &c.pointee.correlation_id)
        try arena.set(v.causationID, "causation_id", &c.pointee.causation_id)
        try arena.set(v.traceparent, "traceparent", &c.pointee.traceparent)
        c.pointee.n_attributes = v.attributes.count
        c.pointee.attributes = try arena.messages(v.attributes, agentmesh__v1__attribute__init, attribute)
        c.pointee.schema_version = v.schemaVersion
        c.pointee.payload_case = Agentmesh__V1__Envelope__PayloadCase(rawValue: .init(v.payload.kind.fieldNumber))
        try payload(c, v.payload, &arena)
    }

    private static func payload(_ c: UnsafeMutablePointer<Agentmesh__V1__Envelope>, _ payload: Payload,
                                _ arena: inout Arena) throws(WireError) {
        switch payload {
        case .objectiveSubmitted(let v):
            let p = arena.message(agentmesh__v1__objective_submitted__init)
            try arena.set(v.objectiveID, "objective_submitted.objective_id", &p.pointee.objective_id)
            try arena.set(v.title, "objective_submitted.title", &p.pointee.title)
            try arena.set(v.description, "objective_submitted.description", &p.pointee.description)
            try arena.set(v.playbook, "objective_submitted.playbook", &p.pointee.playbook)
            try arena.set(v.submittedBy, "objective_submitted.submitted_by", &p.pointee.submitted_by)
            p.pointee.n_parameters = v.parameters.count
            p.pointee.parameters = try arena.messages(v.parameters, agentmesh__v1__attribute__init, attribute)
            p.pointee.n_inputs = v.inputs.count
            p.pointee.inputs = try arena.messages(v.inputs, agentmesh__v1__artifact__init, artifact)
            c.pointee.objective_submitted = p

        case .objectiveCancelRequested(let v):
            let p = arena.message(agentmesh__v1__objective_cancel_requested__init)
            try arena.set(v.objectiveID, "objective_cancel_requested.objective_id", &p.pointee.objective_id)
            try arena.set(v.requestedBy, "objective_cancel_requested.requested_by", &p.pointee.requested_by)
            try arena.set(v.reason, "objective_cancel_requested.reason", &p.pointee.reason)
            c.pointee.objective_cancel_requested = p

        case .planCreated(let v):
            let p = arena.message(agentmesh__v1__plan_created__init)
            try arena.set(v.planID, "plan_created.plan_id", &p.pointee.plan_id)
            try arena.set(v.objectiveID, "plan_created.objective_id", &p.pointee.objective_id)
            try arena.set(v.playbook, "plan_created.playbook", &p.pointee.playbook)
            try arena.set(v.playbookHash, "plan_created.playbook_hash", &p.pointee.playbook_hash)
            p.pointee.n_tasks = v.tasks.count
            p.pointee.tasks = try arena.messages(v.tasks, agentmesh__v1__planned_task__init, plannedTask)
            c.pointee.plan_created = p

        case .planStatus(let v):
            let p = arena.message(agentmesh__v1__plan_status__init)
            try arena.set(v.planID, "plan_status.plan_id", &p.pointee.plan_id)
            p.pointee.n_tasks = v.tasks.count
            p.pointee.tasks = try arena.messages(v.tasks, agentmesh__v1__task_status__init, taskStatus)
            try arena.set(v.detail, "plan_status.detail", &p.pointee.detail)
            c.pointee.plan_status = p

        case .planCompleted(let v):
            let p = arena.message(agentmesh__v1__plan_completed__init)
            try arena.set(v.planID, "plan_completed.plan_id", &p.pointee.plan_id)
            try arena.set(v.summary, "plan_completed.summary", &p.pointee.summary)
            p.pointee.n_artifacts = v.artifacts.count
            p.pointee.artifacts = try arena.messages(v.artifacts, agentmesh__v1__artifact__init, artifact)
            c.pointee.plan_completed = p

        case .planFailed(let v):
            let p = arena.message(agentmesh__v1__plan_failed__init)
            try arena.set(v.planID, "plan_failed.plan_id", &p.pointee.plan_id)
            try arena.set(v.failedTaskID, "plan_failed.failed_task_id", &p.pointee.failed_task_id)
            try arena.set(v.reason, "plan_failed.reason", &p.pointee.reason)
            p.pointee.final_state = cEnum(v.finalState)
            c.pointee.plan_failed = p

        case .taskAssigned(let v):
            let p = arena.message(agentmesh__v1__task_assigned__init)
            try arena.set(v.taskID, "task_assigned.task_id", &p.pointee.task_id)
            try arena.set(v.planID, "task_assigned.plan_id", &p.pointee.plan_id)
            try arena.set(v.role, "task_assigned.role", &p.pointee.role)
            try arena.set(v.instructions, "task_assigned.instructions", &p.pointee.instructions)
            p.pointee.attempt = v.attempt
            p.pointee.n_inputs = v.inputs.count
            p.pointee.inputs = try arena.messages(v.inputs, agentmesh__v1__artifact__init, artifact)
            p.pointee.n_feedback = v.feedback.count
            p.pointee.feedback = try arena.messages(v.feedback, agentmesh__v1__finding__init, finding)
            p.pointee.deadline_unix_micros = v.deadlineUnixMicros
            c.pointee.task_assigned = p

        case .taskResult(let v):
            let p = arena.message(agentmesh__v1__task_result__init)
            try arena.set(v.taskID, "task_result.task_id", &p.pointee.task_id)
            try arena.set(v.planID, "task_result.plan_id", &p.pointee.plan_id)
            p.pointee.attempt = v.attempt
            p.pointee.state = cEnum(v.state)
            try arena.set(v.summary, "task_result.summary", &p.pointee.summary)
            p.pointee.n_artifacts = v.artifacts.count
            p.pointee.artifacts = try arena.messages(v.artifacts, agentmesh__v1__artifact__init, artifact)
            try arena.set(v.error, "task_result.error", &p.pointee.error)
            try arena.set(v.agentID, "task_result.agent_id", &p.pointee.agent_id)
            c.pointee.task_result = p

        case .verdict(let v):
            let p = arena.message(agentmesh__v1__verdict__init)
            try arena.set(v.taskID, "verdict.task_id", &p.pointee.task_id)
            try arena.set(v.planID, "verdict.plan_id", &p.pointee.plan_id)
            p.pointee.attempt = v.attempt
            p.pointee.kind = cEnum(v.kind)
            p.pointee.decision = cEnum(v.decision)
            p.pointee.n_findings = v.findings.count
            p.pointee.findings = try arena.messages(v.findings, agentmesh__v1__finding__init, finding)
            try arena.set(v.resultEnvelopeID, "verdict.result_envelope_id", &p.pointee.result_envelope_id)
            try arena.set(v.policyBundleHash, "verdict.policy_bundle_hash", &p.pointee.policy_bundle_hash)
            p.pointee.n_decided_by_rules = v.decidedByRules.count
            p.pointee.decided_by_rules = try arena.strings(v.decidedByRules, "verdict.decided_by_rules")
            try arena.set(v.reviewerID, "verdict.reviewer_id", &p.pointee.reviewer_id)
            p.pointee.n_approval_required_by = v.approvalRequiredBy.count
            p.pointee.approval_required_by = try arena.strings(v.approvalRequiredBy, "verdict.approval_required_by")
            c.pointee.verdict = p

        case .approvalRequested(let v):
            let p = arena.message(agentmesh__v1__approval_requested__init)
            try arena.set(v.approvalID, "approval_requested.approval_id", &p.pointee.approval_id)
            try arena.set(v.taskID, "approval_requested.task_id", &p.pointee.task_id)
            try arena.set(v.planID, "approval_requested.plan_id", &p.pointee.plan_id)
            p.pointee.attempt = v.attempt
            try arena.set(v.resultEnvelopeID, "approval_requested.result_envelope_id", &p.pointee.result_envelope_id)
            arena.set(v.resultSHA256, &p.pointee.result_sha256)
            try arena.set(v.reason, "approval_requested.reason", &p.pointee.reason)
            p.pointee.deadline_unix_micros = v.deadlineUnixMicros
            try arena.set(v.authorID, "approval_requested.author_id", &p.pointee.author_id)
            c.pointee.approval_requested = p

        case .approvalDecision(let v):
            let p = arena.message(agentmesh__v1__approval_decision__init)
            try arena.set(v.approvalID, "approval_decision.approval_id", &p.pointee.approval_id)
            p.pointee.decision = cEnum(v.decision)
            try arena.set(v.signerID, "approval_decision.signer_id", &p.pointee.signer_id)
            try arena.set(v.printedName, "approval_decision.printed_name", &p.pointee.printed_name)
            try arena.set(v.meaning, "approval_decision.meaning", &p.pointee.meaning)
            p.pointee.signed_at_unix_micros = v.signedAtUnixMicros
            try arena.set(v.reason, "approval_decision.reason", &p.pointee.reason)
            arena.set(v.resultSHA256, &p.pointee.result_sha256)
            if let signature = v.signature {
                let s = arena.message(agentmesh__v1__signature__init)
                try Self.signature(s, signature, &arena)
                p.pointee.signature = s
            }
            c.pointee.approval_decision = p

        case .agentHeartbeat(let v):
            let p = arena.message(agentmesh__v1__agent_heartbeat__init)
            try arena.set(v.agentID, "agent_heartbeat.agent_id", &p.pointee.agent_id)
            try arena.set(v.role, "agent_heartbeat.role", &p.pointee.role)
            try arena.set(v.version, "agent_heartbeat.version", &p.pointee.version)
            p.pointee.in_flight = v.inFlight
            p.pointee.processed = v.processed
            p.pointee.started_unix_micros = v.startedUnixMicros
            try arena.set(v.handler, "agent_heartbeat.handler", &p.pointee.handler)
            try arena.set(v.model, "agent_heartbeat.model", &p.pointee.model)
            p.pointee.n_capabilities = v.capabilities.count
            p.pointee.capabilities = try arena.strings(v.capabilities, "agent_heartbeat.capabilities")
            try arena.set(v.lastError, "agent_heartbeat.last_error", &p.pointee.last_error)
            p.pointee.last_error_unix_micros = v.lastErrorUnixMicros
            p.pointee.interval_millis = v.intervalMillis
            p.pointee.stopping = v.stopping ? 1 : 0
            c.pointee.agent_heartbeat = p

        case .replayRequested(let v):
            let p = arena.message(agentmesh__v1__replay_requested__init)
            try arena.set(v.replayID, "replay_requested.replay_id", &p.pointee.replay_id)
            try arena.set(v.objectiveID, "replay_requested.objective_id", &p.pointee.objective_id)
            try arena.set(v.requestedBy, "replay_requested.requested_by", &p.pointee.requested_by)
            try arena.set(v.mode, "replay_requested.mode", &p.pointee.mode)
            try arena.set(v.targetTopic, "replay_requested.target_topic", &p.pointee.target_topic)
            p.pointee.first_sequence = v.firstSequence
            p.pointee.last_sequence = v.lastSequence
            p.pointee.envelope_count = v.envelopeCount
            try arena.set(v.reason, "replay_requested.reason", &p.pointee.reason)
            c.pointee.replay_requested = p

        case .orchestratorSnapshot(let v):
            let p = arena.message(agentmesh__v1__orchestrator_snapshot__init)
            p.pointee.format_version = v.formatVersion
            arena.set(v.state, &p.pointee.state)
            try arena.set(v.lastEventID, "orchestrator_snapshot.last_event_id", &p.pointee.last_event_id)
            c.pointee.orchestrator_snapshot = p
        }
    }

    // MARK: SealedEnvelope

    static func sealed(_ c: UnsafeMutablePointer<Agentmesh__V1__SealedEnvelope>, _ v: SealedEnvelope,
                       _ arena: inout Arena) throws(WireError) {
        c.pointee.format_version = v.formatVersion
        arena.set(v.envelope, &c.pointee.envelope)
        c.pointee.n_signatures = v.signatures.count
        c.pointee.signatures = try arena.messages(v.signatures, agentmesh__v1__signature__init, signature)
    }
}
