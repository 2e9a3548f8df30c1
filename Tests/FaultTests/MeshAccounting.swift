import Foundation
import MeshAudit
import MeshCatalog
import MeshKafka
import MeshSigning
import MeshTransport
import MeshWire

/// One check of a fault run: the counts it looked at (always printed) and what was wrong.
struct AccountingCheck {
    var name: String
    var counts: [String]
    var problems: [String]

    var summary: String {
        "\(problems.isEmpty ? "OK  " : "FAIL") \(name): \(counts.joined(separator: ", "))"
            + problems.prefix(20).map { "\n       - \($0)" }.joined()
            + (problems.count > 20 ? "\n       - … and \(problems.count - 20) more" : "")
    }
}

/// What a reader of the mesh topics sees after a run, and the checks over it.
struct MeshAccounting {
    struct Record {
        var message: ConsumedMessage
        var opened: OpenedEnvelope?
        var coordinates: String { "\(message.topic)[\(message.partition)]@\(message.offset)" }
    }

    let records: [Record]
    let byTopic: [String: [Record]]

    init(records: [ConsumedMessage], opener: EnvelopeOpener) {
        self.records = records.map { message in
            Record(message: message, opened: try? opener.open(message.value).get())
        }
        byTopic = Dictionary(grouping: self.records, by: \.message.topic)
    }

    /// What the audit store must end up holding: one record per distinct verified envelope
    /// plus one per record that does not verify.
    var expectedAuditRecords: Int {
        Set(records.compactMap { $0.opened?.envelope.id }).count + records.filter { $0.opened == nil }.count
    }

    private func verified(_ topic: String) -> [OpenedEnvelope] { (byTopic[topic] ?? []).compactMap(\.opened) }

    /// Every submitted objective has a completion on mesh.plans (and no failure).
    func objectives(submitted: [String]) -> AccountingCheck {
        var completed: Set<String> = [], failed: Set<String> = []
        for opened in verified("mesh.plans") {
            switch opened.envelope.payload {
            case .planCompleted: completed.insert(opened.envelope.correlationID)
            case .planFailed: failed.insert(opened.envelope.correlationID)
            default: break
            }
        }
        let missing = submitted.filter { !completed.contains($0) }
        var problems = missing.map { id in failed.contains(id) ? "\(id): failed" : "\(id): no final state" }
        // What the topics hold of the first few, to see where each one stopped.
        for id in missing.prefix(3) {
            problems.append("records of \(id): " + records.filter { $0.opened?.envelope.correlationID == id }.map { record in
                let envelope = record.opened!.envelope
                return "\(record.coordinates) \(envelope.type) \(envelope.id.prefix(8)) from \(envelope.source) "
                    + "caused by \(envelope.causationID.prefix(8))"
            }.joined(separator: "; "))
        }
        problems += submitted.filter { completed.contains($0) && failed.contains($0) }.map { "\($0): both completed and failed" }
        return AccountingCheck(
            name: "objectives reached their final state",
            counts: ["submitted \(submitted.count)", "completed \(submitted.filter(completed.contains).count)",
                     "failed \(submitted.filter(failed.contains).count)", "unfinished \(missing.count)"],
            problems: problems)
    }

    /// Each task attempt assigned has exactly one verdict per required kind (distinct
    /// envelope ids; the only playbook used requires review and compliance).
    func verdicts(requiredKinds: [VerdictKind] = [.review, .compliance]) -> AccountingCheck {
        struct Attempt: Hashable { var plan: String, task: String, attempt: UInt32 }
        var attempts: Set<Attempt> = []
        for topic in byTopic.keys where topic.hasPrefix("mesh.tasks.") {
            for opened in verified(topic) {
                if case .taskAssigned(let task) = opened.envelope.payload { attempts.insert(Attempt(plan: task.planID, task: task.taskID, attempt: task.attempt)) }
            }
        }
        var ids: [Attempt: [String: Set<String>]] = [:]
        var records = 0
        for opened in verified("mesh.verdicts") where ["reviewer", "compliance"].contains(opened.signer.principal) {
            guard case .verdict(let verdict) = opened.envelope.payload else { continue }
            records += 1
            ids[Attempt(plan: verdict.planID, task: verdict.taskID, attempt: verdict.attempt), default: [:]]["\(verdict.kind)", default: []]
                .insert(opened.envelope.id)
        }
        var problems: [String] = []
        var distinct = 0
        for attempt in attempts.sorted(by: { ($0.plan, $0.task, $0.attempt) < ($1.plan, $1.task, $1.attempt) }) {
            for kind in requiredKinds {
                let count = ids[attempt]?["\(kind)"]?.count ?? 0
                distinct += count
                if count != 1 { problems.append("plan \(attempt.plan) task \(attempt.task) attempt \(attempt.attempt): \(count) \(kind) verdicts") }
            }
        }
        problems += ids.keys.filter { !attempts.contains($0) }.map { "verdict for unassigned plan \($0.plan) task \($0.task) attempt \($0.attempt)" }
        return AccountingCheck(
            name: "one verdict per required kind per task attempt",
            counts: ["task attempts \(attempts.count)", "distinct verdicts \(distinct)", "verdict records \(records)"],
            problems: problems)
    }

    /// The dead-letter topic holds exactly the injected messages, once for every role that
    /// consumes the topic they were injected on, each with the rejection reason. A role
    /// killed after writing a dead letter but before committing its input writes it again
    /// when the input is redelivered (at-least-once): such copies name the same source
    /// record and are counted as redelivered, not as extra dead letters.
    func deadLetters(injected: [BadMessage], catalog: Catalog, processingRoles: Set<String>) -> AccountingCheck {
        /// `digest`: SHA-256 of the original value (kept in a header when the value was too large to keep).
        struct Letter: Hashable { var role: String, reason: String, sourceTopic: String, digest: String }
        let deadLetterTopic = catalog.deadLetterTopic?.name ?? "mesh.deadletter"
        var expected: [Letter: Int] = [:]
        for bad in injected {
            let consumers = catalog.topic(named: bad.topic)?.consumers ?? []
            for role in consumers where processingRoles.contains(role) {
                expected[Letter(role: role, reason: bad.reason.rawValue, sourceTopic: bad.topic, digest: SHA256Digest.hex(bad.bytes)), default: 0] += 1
            }
        }
        var actual: [Letter: Int] = [:]
        var reasons: [String: Int] = [:]
        var letterCoordinates: Set<String> = []
        var redelivered = 0
        for record in byTopic[deadLetterTopic] ?? [] {
            let headers = record.message.headers
            let letter = Letter(
                role: headers.string(DeadLetterHeader.role) ?? "?", reason: headers.string(DeadLetterHeader.reason) ?? "?",
                sourceTopic: headers.string(DeadLetterHeader.sourceTopic) ?? "?",
                digest: headers.string(DeadLetterHeader.droppedValueSHA256) ?? SHA256Digest.hex(record.message.value))
            let source = [letter.role, letter.sourceTopic, headers.string(DeadLetterHeader.sourcePartition) ?? "?",
                          headers.string(DeadLetterHeader.sourceOffset) ?? "?"].joined(separator: "/")
            guard letterCoordinates.insert(source).inserted else {
                redelivered += 1
                continue
            }
            actual[letter, default: 0] += 1
            reasons[letter.reason, default: 0] += 1
        }
        func describe(_ letter: Letter) -> String {
            let label = injected.first { SHA256Digest.hex($0.bytes) == letter.digest }?.label ?? "not injected (sha256 \(letter.digest))"
            return "\(label) from \(letter.sourceTopic) by \(letter.role), reason \(letter.reason)"
        }
        var problems: [String] = []
        for (letter, count) in expected where actual[letter, default: 0] != count {
            problems.append("expected \(count), found \(actual[letter, default: 0]): \(describe(letter))")
        }
        for (letter, count) in actual where expected[letter] == nil {
            problems.append("unexpected \(count)×: \(describe(letter))")
        }
        return AccountingCheck(
            name: "dead letters are exactly the injected messages",
            counts: ["injected \(injected.count)", "expected dead letters \(expected.values.reduce(0, +))",
                     "dead letters \(actual.values.reduce(0, +))", "written again for a redelivered input \(redelivered)",
                     "by reason " + reasons.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")],
            problems: problems)
    }

    /// Envelope ids written more than once (an input handled again after a crash or a
    /// rebalance): the mesh's own derived outputs (plans, assignments, snapshots, verdicts of
    /// the deterministic rules) must repeat byte for byte; only an agent's work may differ
    /// (its first acknowledged copy is the one the orchestrator uses).
    func rederivedOutputs(agentRoles: Set<String>) -> AccountingCheck {
        var repeated = 0, identical = 0
        // Copies that differ, by id: allowed for an agent's redone work, and for an output
        // derived from such work (a verdict on the second version of a redone result).
        var differing: [String: [Record]] = [:]
        for topicRecords in byTopic.values {
            let copies = Dictionary(grouping: topicRecords.filter { $0.opened != nil }, by: { $0.opened!.envelope.id })
            for (id, records) in copies where records.count > 1 {
                repeated += 1
                if Set(records.map(\.message.value)).count == 1 { identical += 1 } else { differing[id] = records }
            }
        }
        var redone = Set(differing.filter { agentRoles.contains($0.value[0].opened!.signer.principal) }.keys)
        let agentRedone = redone.count
        var grew = true
        while grew {
            let derived = differing.filter { id, records in
                !redone.contains(id) && records.contains { redone.contains($0.opened!.envelope.causationID) }
            }.keys
            grew = !derived.isEmpty
            redone.formUnion(derived)
        }
        let problems = differing.filter { !redone.contains($0.key) }.sorted { $0.key < $1.key }.map { id, records in
            "\(records[0].message.topic): \(id) from \(records[0].opened!.signer.principal) differs between "
                + records.map(\.coordinates).joined(separator: ", ")
        }
        return AccountingCheck(
            name: "re-handled inputs yield byte-identical mesh outputs",
            counts: ["ids written more than once \(repeated)", "byte-identical \(identical)",
                     "agent results redone with other bytes \(agentRedone)",
                     "outputs derived from redone results \(redone.count - agentRedone)"],
            problems: problems)
    }

    /// Records on each topic that repeat an envelope id already on that topic.
    func duplicates(topics: [String]) -> AccountingCheck {
        var problems: [String] = []
        var total = 0
        for topic in topics.sorted() {
            let copies = Dictionary(grouping: (byTopic[topic] ?? []).filter { $0.opened != nil }, by: { $0.opened!.envelope.id })
                .filter { $0.value.count > 1 }
            let extra = copies.values.map { $0.count - 1 }.reduce(0, +)
            total += extra
            guard extra > 0 else { continue }
            problems.append("\(topic): \(extra) duplicate record(s) over \(verified(topic).count)")
            problems += copies.sorted { $0.key < $1.key }.prefix(5).map { id, records in
                "  \(id) from \(records[0].opened!.envelope.source) at " + records.map(\.coordinates).joined(separator: ", ")
            }
        }
        return AccountingCheck(
            name: "no duplicate records on the output topics (read_committed)",
            counts: ["topics \(topics.count)", "duplicate records \(total)"], problems: problems)
    }

    /// The audit store holds every envelope of the mesh topics exactly once: each verified
    /// envelope id once (at coordinates where a reader sees it), each record that fails
    /// verification once by its coordinates, and nothing else.
    func audit(_ stored: [AuditRecord]) -> AccountingCheck {
        let idsAtCoordinates = Dictionary(grouping: records.filter { $0.opened != nil }, by: { $0.opened!.envelope.id })
            .mapValues { Set($0.map(\.coordinates)) }
        let rejectedCoordinates = Set(records.filter { $0.opened == nil }.map(\.coordinates))
        var problems: [String] = []
        var storedIDs: [String: Int] = [:]
        var storedRejected: [String: Int] = [:]
        for record in stored {
            let kafka = record.input.kafka
            let coordinates = "\(kafka.topic)[\(kafka.partition)]@\(kafka.offset)"
            if record.input.verification.isVerified {
                storedIDs[record.input.envelopeID, default: 0] += 1
                if idsAtCoordinates[record.input.envelopeID]?.contains(coordinates) != true {
                    problems.append("stored \(record.input.envelopeID) at \(coordinates), where no reader sees it")
                }
            } else {
                storedRejected[coordinates, default: 0] += 1
            }
        }
        let missing = Set(idsAtCoordinates.keys).subtracting(storedIDs.keys)
        problems += missing.sorted().map { "envelope \($0) (\(idsAtCoordinates[$0]!.sorted().joined(separator: " "))) not stored" }
        problems += storedIDs.filter { $0.value > 1 }.map { "envelope \($0.key) stored \($0.value) times" }
        problems += rejectedCoordinates.subtracting(storedRejected.keys).sorted().map { "rejected record at \($0) not stored" }
        problems += storedRejected.filter { !rejectedCoordinates.contains($0.key) || $0.value > 1 }
            .map { "rejected record at \($0.key) stored \($0.value) time(s), reader sees \(rejectedCoordinates.contains($0.key) ? 1 : 0)" }
        return AccountingCheck(
            name: "audit store holds every envelope exactly once",
            counts: ["topic records \(records.count)", "distinct envelopes \(idsAtCoordinates.count)",
                     "unverifiable records \(rejectedCoordinates.count)", "stored \(stored.count)",
                     "stored envelopes \(storedIDs.count)", "stored unverifiable \(storedRejected.values.reduce(0, +))"],
            problems: problems)
    }
}
