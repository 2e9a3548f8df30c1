import MeshCLI
import MeshLogging
import MeshOps
import MeshSigning
import MeshWire

/// The JSON bodies of `/api`; `OpenAPIDocument` describes the same shapes.
public enum APIModels {
    public struct ArtifactInfo: Codable, Sendable, Equatable {
        public var name: String
        public var mediaType: String
        public var bytes: Int
        public var sha256: String
        public var content: String
    }

    public struct Attempt: Codable, Sendable, Equatable {
        public var task: String
        public var attempt: Int
        public var state: String
        public var agent: String
        public var summary: String
        public var artifacts: [ArtifactInfo]
        public var verdicts: [VerdictInfo]
    }

    public struct FindingInfo: Codable, Sendable, Equatable {
        public var rule: String
        public var severity: String
        public var location: String
        public var message: String
    }

    public struct VerdictInfo: Codable, Sendable, Equatable {
        public var kind: String
        public var decision: String
        public var reviewer: String
        public var rules: [String]
        public var policyBundleHash: String
        public var findings: [FindingInfo]
    }

    public struct PlanDetail: Codable, Sendable, Equatable {
        public var plan: PlanSummary
        public var attempts: [Attempt]
        public var outcome: String?
    }

    public struct Approval: Codable, Sendable, Equatable {
        public var id: String
        public var objective: String
        public var task: String
        public var attempt: Int
        public var author: String
        public var resultSHA256: String
        public var reason: String
        public var deadline: String
        public var decision: String?
        public var signer: String?
        public var meaning: String?
    }

    public struct DecisionRequest: Codable, Sendable {
        public var decision: String
        public var meaning: String
        public var reason: String?
        public var password: String
    }

    public struct ObjectiveRequest: Codable, Sendable {
        public var title: String
        public var description: String?
        public var playbook: String
    }

    public struct ObjectiveResponse: Codable, Sendable {
        public var correlationID: String
    }

    public struct DecisionResponse: Codable, Sendable {
        public var approvalID: String
        public var envelopeID: String
    }

    public struct Agent: Codable, Sendable, Equatable {
        public var role: String
        public var instance: String
        /// live, stale or stopped (as `meshctl agents`).
        public var status: String
        public var lastSeen: String
        public var ageSeconds: Double
        public var started: String?
        public var version: String
        public var handler: String
        public var model: String
        public var capabilities: [String]
        public var inFlight: Int
        public var processed: Int
        /// Inputs processed per minute since the instance started.
        public var processedPerMinute: Double?
        public var lastError: String
    }

    /// A consuming role's consumer group and the records it has still to read.
    public struct ConsumerLag: Codable, Sendable, Equatable {
        public var role: String
        public var group: String
        public var lag: Int64
        public var partitions: [Partition]
        /// Topics of the role that are not on the cluster.
        public var missingTopics: [String]

        public struct Partition: Codable, Sendable, Equatable {
            public var topic: String
            public var partition: Int32
            /// Absent when the group never committed on the partition (then all it holds counts).
            public var committed: Int64?
            public var end: Int64
            public var lag: Int64
        }
    }

    public struct DeadLetterInfo: Codable, Sendable, Equatable {
        public var id: String
        public var reason: String
        public var source: String
        public var attempts: String
        public var role: String
        public var time: String
        public var type: String
        public var envelopeID: String
        public var detail: String
    }

    public struct DeadLetterDetail: Codable, Sendable, Equatable {
        public var id: String
        public var fields: [String: String]
        public var headers: [Header]
        public var valueBytes: Int
        /// What the envelope says, when the value is a decodable envelope.
        public var payload: String?

        public struct Header: Codable, Sendable, Equatable {
            public var key: String
            public var value: String
        }
    }

    public struct RedriveRequest: Codable, Sendable {
        public var ids: [String]
        public var reason: String
    }

    public struct RedriveResponse: Codable, Sendable {
        public var outcomes: [String]
    }

    static func agents(_ roster: AgentRoster) -> [Agent] {
        roster.entries.map { entry in
            let card = entry.card
            let uptime = card.startedUnixMicros > 0 ? Double(entry.seenUnixMicros - card.startedUnixMicros) / 60e6 : 0
            return Agent(
                role: card.role, instance: card.agentID, status: entry.liveness.rawValue,
                lastSeen: RFC3339.format(unixMicros: entry.seenUnixMicros, fractionDigits: 0), ageSeconds: Double(entry.ageMicros) / 1e6,
                started: card.startedUnixMicros > 0 ? RFC3339.format(unixMicros: card.startedUnixMicros, fractionDigits: 0) : nil,
                version: card.version, handler: card.handler, model: card.model, capabilities: card.capabilities,
                inFlight: Int(card.inFlight), processed: Int(card.processed),
                processedPerMinute: uptime > 0 ? Double(card.processed) / uptime : nil, lastError: card.lastError)
        }
    }

    static func consumerLag(_ lag: [RoleConsumerGroups.Lag]) -> [ConsumerLag] {
        lag.map { item in
            ConsumerLag(role: item.target.role ?? "", group: item.target.group, lag: item.total,
                        partitions: item.partitions.map {
                            .init(topic: $0.topic, partition: $0.partition, committed: $0.committed, end: $0.end, lag: $0.lag)
                        },
                        missingTopics: item.missingTopics)
        }
    }

    static func deadLetter(_ letter: DeadLetter) -> DeadLetterInfo {
        let f = letter.fields
        return DeadLetterInfo(id: letter.id, reason: letter.reason, source: letter.source, attempts: f["attempts"] ?? "",
                              role: f["role"] ?? "", time: f["time"] ?? "", type: f["type"] ?? "",
                              envelopeID: f["envelope_id"] ?? "", detail: f["detail"] ?? "")
    }

    static func deadLetterDetail(_ letter: DeadLetter) -> DeadLetterDetail {
        DeadLetterDetail(
            id: letter.id, fields: letter.fields,
            headers: letter.message.headers.all.map { .init(key: $0.key, value: String(decoding: $0.value, as: UTF8.self)) },
            valueBytes: letter.message.value.count,
            payload: AuditPayloadDetails.decode(letter.message.value).map { decoded in
                ([decoded.details.headline] + decoded.details.fields.map { "\($0.0): \($0.1)" }).joined(separator: "; ")
            })
    }

    static func detail(_ snapshot: MeshSnapshot, _ id: String) -> PlanDetail? {
        guard let plan = snapshot.summary(id), let status = snapshot.plan(id) else { return nil }
        let verdicts = snapshot.verdicts[id] ?? []
        let attempts: [Attempt] = (snapshot.results[id] ?? []).compactMap { envelope in
            guard case .taskResult(let result) = envelope.payload else { return nil }
            return Attempt(
                task: result.taskID, attempt: Int(result.attempt), state: OpsNames.state(result.state), agent: result.agentID,
                summary: result.summary,
                artifacts: result.artifacts.map {
                    ArtifactInfo(name: $0.name, mediaType: $0.mediaType, bytes: $0.content.count, sha256: Hex.encode($0.sha256),
                                 content: String(decoding: $0.content, as: UTF8.self))
                },
                verdicts: verdicts.filter { $0.taskID == result.taskID && $0.attempt == result.attempt }.map {
                    VerdictInfo(kind: $0.kind.protoName, decision: OpsNames.decision($0.decision), reviewer: $0.reviewerID,
                                rules: $0.decidedByRules, policyBundleHash: $0.policyBundleHash,
                                findings: $0.findings.map {
                                    FindingInfo(rule: $0.ruleID, severity: $0.severity.protoName, location: $0.location, message: $0.message)
                                })
                })
        }
        return PlanDetail(plan: plan, attempts: attempts, outcome: status.completed?.summary ?? status.failed?.reason)
    }

    static func approvals(_ book: OpsApprovalBook) -> [Approval] {
        book.requests.map { item in
            let decided = book.decisions[item.request.approvalID]?.decision
            return Approval(
                id: item.request.approvalID, objective: item.envelope.correlationID, task: item.request.taskID,
                attempt: Int(item.request.attempt), author: item.request.authorID, resultSHA256: Hex.encode(item.request.resultSHA256),
                reason: item.request.reason, deadline: RFC3339.format(unixMicros: item.request.deadlineUnixMicros, fractionDigits: 0),
                decision: decided.map { OpsNames.decision($0.decision) }, signer: decided?.signerID, meaning: decided?.meaning)
        }
    }
}
