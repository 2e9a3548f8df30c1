import Foundation
import MeshAudit
import MeshLogging
import MeshSigning
import MeshTransport
import MeshWire

/// What an auditor needs to see of one stored envelope's payload, decoded from the exact
/// bytes the store holds.
public struct AuditPayloadDetails: Sendable {
    /// One line: what happened.
    public var headline: String
    /// Further labelled values, in a stable order.
    public var fields: [(String, String)]
    /// Verdict findings, if any.
    public var findings: [Finding]

    /// Decodes the stored sealed bytes; nil when they are not a decodable envelope.
    public static func decode(_ raw: [UInt8]) -> (envelope: Envelope, details: AuditPayloadDetails)? {
        let codec = EnvelopeCodec()
        guard let sealed = try? codec.decodeSealed(raw), let envelope = try? codec.decode(sealed.envelope) else { return nil }
        return (envelope, AuditPayloadDetails(envelope.payload))
    }

    public init(_ payload: Payload) {
        findings = []
        fields = []
        switch payload {
        case .objectiveSubmitted(let p):
            headline = "objective \(quoted(p.title)) submitted by \(p.submittedBy) (playbook \(p.playbook))"
            fields = [("objective", p.objectiveID), ("inputs", "\(p.inputs.count)")]
        case .objectiveCancelRequested(let p):
            headline = "cancel of objective \(p.objectiveID) requested by \(p.requestedBy)"
            fields = [("reason", p.reason)]
        case .planCreated(let p):
            headline = "plan \(p.planID) created from playbook \(p.playbook) with \(p.tasks.count) task(s)"
            fields = [("tasks", p.tasks.map { "\($0.taskID):\($0.role)" }.joined(separator: " ")),
                      ("playbook_sha256", p.playbookHash)]
        case .planStatus(let p):
            headline = "plan \(p.planID) status: " + p.tasks.map { "\($0.taskID)=\(name($0.state))" }.joined(separator: " ")
            fields = [("detail", p.detail)]
        case .planCompleted(let p):
            headline = "plan \(p.planID) completed"
            fields = [("summary", p.summary), ("artifacts", p.artifacts.map(\.name).joined(separator: " "))]
        case .planFailed(let p):
            headline = "plan \(p.planID) ended \(name(p.finalState)) at task \(p.failedTaskID)"
            fields = [("reason", p.reason)]
        case .taskAssigned(let p):
            headline = "task \(p.taskID) (attempt \(p.attempt)) assigned to role \(p.role)"
            fields = [("plan", p.planID), ("feedback_findings", p.feedback.isEmpty ? "" : "\(p.feedback.count)"),
                      ("deadline", p.deadlineUnixMicros > 0 ? RFC3339.format(unixMicros: p.deadlineUnixMicros, fractionDigits: 3) : "")]
        case .taskResult(let p):
            headline = "task \(p.taskID) (attempt \(p.attempt)) \(name(p.state)) by agent \(p.agentID)"
            fields = [("plan", p.planID), ("summary", p.summary), ("error", p.error),
                      ("artifacts", p.artifacts.map(\.name).joined(separator: " "))]
            // A model-backed result carries what the model saw and said; name it and its hash
            // so an auditor can fetch the record and check it.
            for transcript in p.artifacts where transcript.mediaType == "application/vnd.agentmesh.model-transcript+json" {
                fields.append(("model_transcript", "\(transcript.name) sha256=\(Hex.encode(transcript.sha256)) \(transcript.content.count) bytes"))
            }
        case .verdict(let p):
            headline = "\(name(p.kind)) verdict on task \(p.taskID) (attempt \(p.attempt)): \(name(p.decision)) by \(p.reviewerID), "
                + "\(p.findings.count) finding(s)"
            fields = [("decision", name(p.decision)), ("judged_result", p.resultEnvelopeID),
                      ("rules", p.decidedByRules.joined(separator: " ")), ("policy_bundle_sha256", p.policyBundleHash),
                      ("approval_required_by", p.approvalRequiredBy.joined(separator: " "))]
            findings = p.findings
        case .approvalRequested(let p):
            headline = "approval \(p.approvalID) requested for task \(p.taskID) (author \(p.authorID) may not approve)"
            fields = [("result", p.resultEnvelopeID), ("result_sha256", Hex.encode(p.resultSHA256)), ("reason", p.reason),
                      ("deadline", p.deadlineUnixMicros > 0 ? RFC3339.format(unixMicros: p.deadlineUnixMicros, fractionDigits: 3) : "")]
        case .approvalDecision(let p):
            headline = "approval \(p.approvalID): \(name(p.decision)) signed by \(p.signerID) (\(quoted(p.printedName))), "
                + "meaning \(quoted(p.meaning))"
            fields = [("decision", name(p.decision)), ("signer", p.signerID), ("printed_name", p.printedName),
                      ("meaning", p.meaning),
                      ("signed_at", RFC3339.format(unixMicros: p.signedAtUnixMicros, fractionDigits: 3)),
                      ("reason", p.reason), ("result_sha256", Hex.encode(p.resultSHA256)),
                      ("e_signature", p.signature.map { "key \($0.keyID)" } ?? "ABSENT")]
        case .agentHeartbeat(let p):
            headline = "heartbeat of \(p.agentID) (role \(p.role)): \(p.inFlight) in flight, \(p.processed) processed"
        case .replayRequested(let p):
            headline = "replay \(p.replayID) of objective \(p.objectiveID) (\(p.mode)) requested by \(p.requestedBy)"
            fields = [("target_topic", p.targetTopic), ("sequences", "\(p.firstSequence)…\(p.lastSequence)"),
                      ("envelopes", "\(p.envelopeCount)"), ("reason", p.reason)]
        case .orchestratorSnapshot(let p):
            headline = "orchestrator snapshot after \(p.lastEventID) (\(p.state.count) bytes, format \(p.formatVersion))"
        }
        fields = fields.filter { !$0.1.isEmpty }
    }

    public var json: [String: Any] {
        var object: [String: Any] = ["headline": headline]
        object["fields"] = Dictionary(fields, uniquingKeysWith: { first, _ in first })
        if !findings.isEmpty {
            object["findings"] = findings.map {
                ["rule": $0.ruleID, "severity": name($0.severity), "message": $0.message, "location": $0.location]
            }
        }
        return object
    }
}

/// A wire enum value as a short lower-case word: `DECISION_REQUEST_CHANGES` → `request_changes`.
public func name<T>(_ value: T) -> String {
    var text = "\(value)"
    for prefix in ["DECISION_", "VERDICT_KIND_", "SEVERITY_", "TASK_STATE_", "RISK_CLASS_", "SAFETY_CLASS_", "SIGNATURE_ALGORITHM_"]
    where text.hasPrefix(prefix) {
        text = String(text.dropFirst(prefix.count))
        break
    }
    return text.lowercased()
}

private func quoted(_ text: String) -> String { "\"\(text)\"" }

/// Shared record formatting for trace and search, in meshctl and the console.
public enum AuditRecordFormat {
    public static func time(_ micros: Int64) -> String { RFC3339.format(unixMicros: micros, fractionDigits: 3) }

    /// The role part of a `/mesh/<role>/<instance>` source.
    public static func role(_ record: AuditRecord) -> String { SourcePath.role(of: record.input.source) ?? "" }

    public static func json(_ record: AuditRecord, withPayload: Bool) -> [String: Any] {
        let input = record.input
        var object: [String: Any] = [
            "sequence": record.sequence, "envelopeId": input.envelopeID, "type": input.type, "source": input.source,
            "role": role(record), "subject": input.subject, "correlationId": input.correlationID,
            "causationId": input.causationID, "eventTime": time(input.eventTimeMicros),
            "recordedAt": time(record.recordedAtMicros), "verification": input.verification.label,
            "kafka": ["topic": input.kafka.topic, "partition": Int(input.kafka.partition), "offset": input.kafka.offset] as [String: Any],
            "recordHash": Hex.encode(record.recordHash),
        ]
        object["rejectionReason"] = input.verification.reason ?? NSNull()
        object["signerPrincipal"] = input.signerPrincipal ?? NSNull()
        object["signerKeyId"] = input.signerKeyID ?? NSNull()
        if withPayload {
            object["payload"] = AuditPayloadDetails.decode(input.raw)?.details.json ?? NSNull()
        }
        return object
    }

    public static func jsonText(_ value: Any) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}

/// The causal tree of one objective as `meshctl audit trace --json` prints it and the
/// console's `GET /api/plans/{id}/trace` serves it: one document, built in one place.
public enum AuditTraceDocument {
    public static func json(_ trace: AuditTrace) -> [String: Any] {
        let ids = Set(trace.records.map(\.input.envelopeID))
        func nodeJSON(_ node: AuditTrace.Node) -> [String: Any] {
            var object = AuditRecordFormat.json(node.record, withPayload: true)
            object["children"] = node.children.map(nodeJSON)
            let cause = node.record.input.causationID
            object["causeInLog"] = cause.isEmpty ? NSNull() : ids.contains(cause)
            return object
        }
        return [
            "correlationId": trace.correlationID, "recordCount": trace.records.count,
            "rejectedCount": trace.records.filter { !$0.input.verification.isVerified }.count,
            "roots": trace.roots.map(nodeJSON),
        ]
    }
}

/// `meshctl audit verify --json`'s report, also the console's `GET /api/audit/verify`.
public enum AuditVerifyDocument {
    public static func json(_ report: VerificationReport, store: AuditStore) -> [String: Any] {
        var object: [String: Any] = [
            "logId": report.logID, "valid": report.isValid, "recordCount": report.recordCount,
            "checkpointCount": report.checkpointCount, "unanchoredRecords": report.unanchoredRecords,
            "anchoredCheckpointCount": report.anchoredCheckpointCount, "envelopesChecked": report.envelopesChecked,
            "supersededCopies": report.supersededCopies, "conflictingCopies": report.conflictingCopies,
            "unauthorizedRecords": report.unauthorizedRecords, "anchorsProvenConsistent": report.anchorsProvenConsistent,
            "summary": report.summary,
            "failures": report.failures.map { ["sequence": $0.sequence, "problem": $0.problem.rawValue, "detail": $0.detail] },
        ]
        object["currentTree"] = report.currentTree.map { ["size": $0.size, "root": Hex.encode($0.root)] as [String: Any] } ?? NSNull()
        object["lastGoodCheckpoint"] = report.lastGoodCheckpoint.map {
            ["sequence": $0.sequence, "createdAt": AuditRecordFormat.time($0.createdAtMicros), "keyId": $0.signature.keyId] as [String: Any]
        } ?? NSNull()
        object["firstBadRecord"] = report.firstFailure.flatMap { failure in
            (try? store.record(sequence: failure.sequence)).flatMap { $0 }.map { AuditRecordFormat.json($0, withPayload: false) }
        } ?? NSNull()
        return object
    }
}
