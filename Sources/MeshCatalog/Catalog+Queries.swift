// Runtime questions asked of a loaded catalog: who reads and writes what, and where.

extension Catalog {
    /// The role named `name`, if declared.
    public func role(named name: String) -> Role? {
        roles.first { $0.name == name }
    }

    /// The topic named `name`, if declared.
    public func topic(named name: String) -> Topic? {
        topics.first { $0.name == name }
    }

    /// Topics `role` consumes, in declared order.
    public func topics(consumedBy role: String) -> [Topic] {
        topics.filter { $0.consumers.contains(role) }
    }

    /// Topics `role` may produce to, in declared order.
    public func topics(producedBy role: String) -> [Topic] {
        topics.filter { $0.producers.contains(role) }
    }

    /// True if `role` may write an envelope of `type` to the topic named `topic`:
    /// the role is a producer of the topic, the topic carries the type, and, if the
    /// role's grant names types, the type is among them. Unknown topics allow nothing.
    public func mayProduce(role: String, type: String, on topic: String) -> Bool {
        guard let declared = self.topic(named: topic), declared.types.contains(type) else { return false }
        return declared.producerGrants.contains { grant in
            grant.role == role && (grant.types?.contains(type) ?? true)
        }
    }

    /// The roles that may write `type` to the topic named `topic`, in declared order.
    public func producers(of type: String, on topic: String) -> [String] {
        guard let declared = self.topic(named: topic) else { return [] }
        return declared.producers.filter { mayProduce(role: $0, type: type, on: topic) }
    }

    /// The topics that may carry `type` and whose producers include `role`.
    public func topics(for type: String, producedBy role: String) -> [Topic] {
        topics.filter { mayProduce(role: role, type: type, on: $0.name) }
    }

    /// Topics that name `type` in their type list (not those carrying `any` type).
    public func topics(declaring type: String) -> [Topic] {
        topics.filter { topic in
            if case .only(let names) = topic.types { return names.contains(type) }
            return false
        }
    }

    /// The orchestrator's co-partitioned inputs: topics consumed by a role of kind
    /// `orchestrator` and keyed by correlation id. Validation guarantees they share
    /// one partition count.
    public var orchestratorInputs: [Topic] {
        let orchestrators = Set(roles.filter { $0.kind == .orchestrator }.map(\.name))
        return topics.filter { topic in
            topic.key == .correlationID && topic.consumers.contains { orchestrators.contains($0) }
        }
    }

    /// The partition count the orchestrator's inputs share, if it has any.
    public var orchestratorPartitions: Int? { orchestratorInputs.first?.partitions }

    /// The dead-letter topic (validation guarantees exactly one when any topic is declared).
    public var deadLetterTopic: Topic? {
        topics.first { $0.isDeadLetter }
    }

    /// What an instance of `role` reading `consumed` can do, as its agent card lists it:
    /// `consumes:<topic>` for each topic it reads, `produces:<type>` for each envelope type
    /// the catalog lets it write somewhere (agent cards themselves apart), sorted.
    public func capabilities(of role: String, consuming consumed: [String], cardType: String) -> [String] {
        var produced = Set<String>()
        for topic in topics(producedBy: role) {
            guard case .only(let names) = topic.types else { continue }
            for type in names where type != cardType && mayProduce(role: role, type: type, on: topic.name) {
                produced.insert(type)
            }
        }
        return consumed.sorted().map { "consumes:\($0)" } + produced.sorted().map { "produces:\($0)" }
    }

    /// The topic carrying tasks for the agent role `role`, if declared.
    public func taskTopic(for role: String) -> Topic? {
        topics.first { $0.taskFor == role }
    }

    /// The agent roles, in declared order: roles of kind `agent` with a task topic (validation
    /// gives every agent one). Playbook tasks, `mesh-agent --role` and `meshctl up` use these.
    public var agentRoles: [String] {
        roles.filter { $0.kind == .agent && taskTopic(for: $0.name) != nil }.map(\.name)
    }
}
