// Rules across fields, topics, roles and files; builds the Catalog when nothing is wrong.

struct CatalogValidator {
    let roles: [RoleDraft]
    let topics: [TopicDraft]
    let knownTypes: Set<String>
    /// What the files state under `partitioner:`; the catalog's default when none does.
    let partitioner: KeyPartitioner
    let log: IssueLog
    /// Where to point problems that belong to no line (e.g. "no dead-letter topic").
    let catalogLocation: SourceLocation

    private var rolesByName: [String: RoleDraft] {
        var result: [String: RoleDraft] = [:]
        for role in roles { if let name = role.name?.value, result[name] == nil { result[name] = role } }
        return result
    }

    /// Runs every rule. Returns the catalog if no errors were logged (by parsing or here).
    func validate() -> Catalog? {
        checkRoles()
        checkTopicNames()
        for topic in topics { checkTopic(topic) }
        checkTaskTopics()
        checkDeadLetter()
        checkCoPartitioning()
        return log.hasErrors ? nil : build()
    }

    // MARK: Roles

    private func checkRoles() {
        var seen: [String: SourceLocation] = [:]
        for role in roles {
            guard let name = role.name else { continue }
            if let first = seen[name.value] {
                log.error(name.location, "role \"\(name.value)\"", field: "name",
                          "duplicate role, already declared at \(first)", fix: "remove or rename one of them")
            } else {
                seen[name.value] = name.location
            }
            if !Self.isValidRoleName(name.value) {
                log.error(name.location, "role \"\(name.value)\"", field: "name", "invalid role name",
                          fix: "use lower-case letters, digits and '-', starting with a letter")
            }
            if let via = role.actsThrough {
                if role.kind != nil, role.kind != .person {
                    log.error(via.location, "role \"\(name.value)\"", field: "acts_through",
                              "only a person acts through a tool", fix: "remove the field or set `kind: person`")
                } else if let tool = rolesByName[via.value] {
                    if tool.kind != .operator {
                        log.error(via.location, "role \"\(name.value)\"", field: "acts_through",
                                  "\"\(via.value)\" is not an operator tool", fix: "name a role of kind operator, e.g. meshctl")
                    }
                } else {
                    unknownRole(via, subject: "role \"\(name.value)\"", field: "acts_through")
                }
            }
        }
    }

    static func isValidRoleName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, ("a"..."z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    private func unknownRole(_ role: Located<String>, subject: String, field: String) {
        let names = rolesByName.keys
        log.error(role.location, subject, field: field, "unknown role \"\(role.value)\"",
                  fix: Suggestions.didYouMean(role.value, in: names, otherwise: "declare it under `roles:` first"))
    }

    // MARK: Topic names

    /// Kafka's rules: 1...249 characters of `[a-zA-Z0-9._-]`, not `.` or `..`.
    static func topicNameProblem(_ name: String) -> String? {
        if name.isEmpty { return "is empty" }
        if name == "." || name == ".." { return "\"\(name)\" is not allowed by Kafka" }
        if name.utf8.count > 249 { return "is \(name.utf8.count) characters long; Kafka allows at most 249" }
        let allowed = name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || ".-_".unicodeScalars.contains($0)
        }
        return allowed ? nil : "contains characters Kafka does not allow"
    }

    private func checkTopicNames() {
        var seen: [String: SourceLocation] = [:]
        var metricNames: [String: (name: String, location: SourceLocation)] = [:]
        for topic in topics {
            guard let name = topic.name else { continue }
            let subject = "topic \"\(name.value)\""
            if let problem = Self.topicNameProblem(name.value) {
                log.error(name.location, subject, field: "name", "invalid topic name: \(problem)",
                          fix: "use only letters, digits, '.', '_' and '-', at most 249 characters")
            }
            if let first = seen[name.value] {
                log.error(name.location, subject, field: "name", "duplicate topic, already declared at \(first)",
                          fix: "remove or rename one of them")
                continue
            }
            seen[name.value] = name.location
            // Kafka's metric names turn '.' into '_', so such names collide.
            let metric = name.value.replacingDots
            if let other = metricNames[metric] {
                log.error(name.location, subject, field: "name",
                          "collides with topic \"\(other.name)\" at \(other.location) once '.' and '_' are treated alike (Kafka metrics)",
                          fix: "use either '.' or '_' consistently")
            } else {
                metricNames[metric] = (name.value, name.location)
            }
        }
    }

    // MARK: One topic

    private func checkTopic(_ topic: TopicDraft) {
        let subject = topic.subject
        // Roles named in producers and consumers.
        for (field, list) in [("producers", topic.producers), ("consumers", topic.consumers)] {
            var listed: Set<String> = []
            for role in list {
                if rolesByName[role.value] == nil { unknownRole(role, subject: subject, field: field) }
                if !listed.insert(role.value).inserted {
                    log.error(role.location, subject, field: field, "role \"\(role.value)\" is listed twice", fix: "remove one")
                }
            }
        }
        // Envelope types.
        var declared: Set<String> = []
        for type in topic.types ?? [] {
            checkKnownType(type, subject: subject, field: "types")
            if !declared.insert(type.value).inserted {
                log.error(type.location, subject, field: "types", "type \"\(type.value)\" is listed twice", fix: "remove one")
            }
        }
        if let types = topic.types, types.isEmpty, !topic.typesAreAny, topic.reader.has("types") {
            log.error(topic.at("types"), subject, field: "types", "the topic carries no envelope types",
                      fix: "list the types it carries, or write `types: any` for raw bytes")
        }
        var producible: Set<String> = []
        for (role, types) in topic.producerTypes {
            for type in types {
                checkKnownType(type, subject: subject, field: "producers")
                if topic.types != nil, !topic.typesAreAny, !declared.contains(type.value) {
                    log.error(type.location, subject, field: "producers",
                              "\"\(role)\" is granted type \"\(type.value)\", which the topic does not carry",
                              fix: "add it to `types` or remove it from the grant")
                }
                producible.insert(type.value)
            }
        }
        if !topic.producerTypes.isEmpty, !topic.typesAreAny, let types = topic.types {
            let unproduced = topic.producers.contains { topic.producerTypes[$0.value] == nil }
            for type in types where !unproduced && !producible.contains(type.value) {
                log.warning(type.location, subject, field: "types", "no producer may write \"\(type.value)\"",
                            fix: "grant it to a producer or remove it")
            }
        }
        // Somebody must write it, somebody should read it, and the audit role reads everything.
        if topic.reader.has("producers"), topic.producers.isEmpty {
            log.error(topic.at("producers"), subject, field: "producers", "nobody produces to this topic",
                      fix: "list the roles that write it, or remove the topic")
        }
        if topic.reader.has("consumers"), topic.consumers.isEmpty {
            log.warning(topic.at("consumers"), subject, field: "consumers", "nobody consumes this topic",
                        fix: "list the roles that read it")
        }
        let consumerNames = Set(topic.consumers.map(\.value))
        for audit in roles where audit.kind == .audit {
            guard let name = audit.name?.value, topic.reader.has("consumers") else { continue }
            if !consumerNames.contains(name) {
                log.error(topic.at("consumers"), subject, field: "consumers",
                          "the audit role \"\(name)\" does not consume this topic",
                          fix: "add \"\(name)\": every topic must reach the audit trail")
            }
        }
        // Compaction needs keys; compact-only ignores retention.
        if topic.cleanup != .delete, let key = topic.key, key.value == .none {
            log.error(key.location, subject, field: "key", "a compacted topic needs a key, but key is none",
                      fix: "use `key: correlation_id` or `cleanup: delete`")
        }
        if topic.cleanup == .compact, let retention = topic.retention, !retention.value.isForever {
            log.warning(retention.location, subject, field: "retention",
                        "retention \(retention.value.text) has no effect with `cleanup: compact`",
                        fix: "write `retention: forever`, or `cleanup: compact,delete` to also expire records")
        }
        checkConfigs(topic)
    }

    private func checkKnownType(_ type: Located<String>, subject: String, field: String) {
        guard !knownTypes.contains(type.value) else { return }
        log.error(type.location, subject, field: field, "unknown envelope type \"\(type.value)\"",
                  fix: Suggestions.didYouMean(type.value, in: knownTypes, otherwise: "use a type the wire contract defines"))
    }

    private func checkConfigs(_ topic: TopicDraft) {
        let subject = topic.subject
        let owned = ["retention.ms": "retention", "cleanup.policy": "cleanup"]
        for (key, value) in topic.configs {
            if let field = owned[key.value] {
                log.error(key.location, subject, field: "configs",
                          "\"\(key.value)\" is set from the `\(field)` field", fix: "remove it from configs and use `\(field):`")
            }
            let validKey = !key.value.isEmpty && key.value.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "."
            }
            if !validKey {
                log.error(key.location, subject, field: "configs", "\"\(key.value)\" is not a Kafka topic config name",
                          fix: "use lower-case dotted names like min.insync.replicas")
            }
            if key.value == "min.insync.replicas", let replication = topic.replication {
                if let minISR = Int(value.value), minISR > replication.value {
                    log.error(value.location, subject, field: "configs",
                              "min.insync.replicas \(minISR) exceeds the replication factor \(replication.value)",
                              fix: "lower it, or raise `replication`")
                } else if Int(value.value) == nil {
                    log.error(value.location, subject, field: "configs",
                              "min.insync.replicas \"\(value.value)\" is not a number", fix: "write e.g. \"2\"")
                }
            }
        }
    }

    // MARK: Task and dead-letter topics

    private func checkTaskTopics() {
        var taskTopicOf: [String: TopicDraft] = [:]
        for topic in topics {
            guard let target = topic.taskFor else { continue }
            guard let role = rolesByName[target.value] else {
                unknownRole(target, subject: topic.subject, field: "task_for")
                continue
            }
            if role.kind != nil, role.kind != .agent {
                log.error(target.location, topic.subject, field: "task_for", "\"\(target.value)\" is not an agent role",
                          fix: "task topics are for roles of kind agent")
            }
            if let other = taskTopicOf[target.value] {
                log.error(target.location, topic.subject, field: "task_for",
                          "\"\(target.value)\" already has task topic \(other.subject) at \(other.at("task_for"))",
                          fix: "declare one task topic per agent role")
            } else {
                taskTopicOf[target.value] = topic
            }
        }
        for role in roles where role.kind == .agent {
            guard let name = role.name, taskTopicOf[name.value] == nil else { continue }
            log.error(name.location, "role \"\(name.value)\"", "agent role has no task topic",
                      fix: "declare a topic with `task_for: \(name.value)`")
        }
    }

    private func checkDeadLetter() {
        let deadLetters = topics.filter(\.deadLetter)
        if deadLetters.isEmpty, !topics.isEmpty {
            log.error(catalogLocation, "catalog", field: "dead_letter", "no dead-letter topic is declared",
                      fix: "mark one topic with `dead_letter: true`")
        }
        guard deadLetters.count > 1 else { return }
        // Which one is wrong is not ours to guess: point at each, naming the others.
        for topic in deadLetters {
            let others = deadLetters.filter { $0.at("dead_letter") != topic.at("dead_letter") }
                .map { "\($0.subject) at \($0.at("dead_letter"))" }
            log.error(topic.at("dead_letter"), topic.subject, field: "dead_letter",
                      "\(deadLetters.count) dead-letter topics are declared; also \(others.joined(separator: ", "))",
                      fix: "keep exactly one topic with `dead_letter: true`")
        }
    }

    // MARK: Co-partitioning

    /// Topics consumed by an orchestrator-kind role and keyed by correlation id.
    private func orchestratorInputs() -> [TopicDraft] {
        let orchestrators = Set(roles.filter { $0.kind == .orchestrator }.compactMap(\.name?.value))
        return topics.filter { topic in
            topic.key?.value == .correlationID && topic.consumers.contains { orchestrators.contains($0.value) }
        }
    }

    private func checkCoPartitioning() {
        let inputs = orchestratorInputs().filter { $0.partitions != nil }
        guard inputs.count > 1 else { return }
        // The count most inputs agree on is the target; on a tie, the first declared wins.
        var tally: [Int: Int] = [:]
        for input in inputs { tally[input.partitions!.value, default: 0] += 1 }
        let best = tally.values.max()!
        let expected = inputs.first { tally[$0.partitions!.value] == best }!.partitions!.value
        let agreeing = inputs.filter { $0.partitions!.value == expected }.compactMap(\.name?.value)
        for input in inputs where input.partitions!.value != expected {
            let p = input.partitions!
            log.error(p.location, input.subject, field: "partitions",
                      "has \(p.value) partitions but the orchestrator's inputs need \(expected) (co-partitioning)",
                      fix: "set `partitions: \(expected)` like \(agreeing.joined(separator: ", "))")
        }
    }

    // MARK: Building

    private func build() -> Catalog {
        let builtRoles = roles.map { draft in
            Role(name: draft.name!.value, kind: draft.kind!, description: draft.description!,
                 actsThrough: draft.actsThrough?.value, location: draft.reader.location)
        }
        let builtTopics = topics.map { draft in
            Topic(
                name: draft.name!.value, description: draft.description!, key: draft.key!.value,
                partitions: draft.partitions!.value, replicationFactor: draft.replication!.value,
                retention: draft.retention!.value, cleanupPolicy: draft.cleanup,
                configs: Dictionary(draft.configs.map { ($0.key.value, $0.value.value) }, uniquingKeysWith: { $1 }),
                types: draft.typesAreAny ? .any : .only(draft.types!.map(\.value)),
                producerGrants: draft.producers.map {
                    ProducerGrant(role: $0.value, types: draft.producerTypes[$0.value]?.map(\.value))
                },
                consumers: draft.consumers.map(\.value), taskFor: draft.taskFor?.value,
                isDeadLetter: draft.deadLetter, location: draft.reader.location)
        }
        return Catalog(version: CatalogParser.supportedVersion, partitioner: partitioner, roles: builtRoles, topics: builtTopics,
                       warnings: log.sorted.filter { $0.severity == .warning })
    }
}

extension String {
    var replacingDots: String { String(map { $0 == "." ? "_" : $0 }) }
}
