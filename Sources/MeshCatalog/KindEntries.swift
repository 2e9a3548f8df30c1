// `kind:<kind>` entries in producers and consumers: one entry naming every role of a kind,
// so that adding a role of that kind needs no edit to the topics every such role uses.

/// Resolves `kind:<kind>` entries of `producers`/`consumers` into the roles of that kind, in
/// the order the roles are declared. Role names cannot contain ':', so the entry can never be
/// a role's name. Runs before validation, so every rule and everything built from the catalog
/// (authorization, queries, docs) sees the resolved role names.
enum KindEntries {
    static let prefix = "kind:"

    /// The kind an entry names (`kind:agent` → `agent`), or `nil` for a role name.
    static func kindName(_ entry: String) -> String? {
        entry.hasPrefix(prefix) ? String(entry.dropFirst(prefix.count)) : nil
    }

    /// `topics` with every kind entry replaced by the roles of its kind, each at the entry's
    /// line. An unknown kind is an error; a role named both by name and through a kind entry
    /// is an error (its grant would be ambiguous) and kept once.
    static func resolve(_ topics: [TopicDraft], roles: [RoleDraft], log: IssueLog) -> [TopicDraft] {
        var rolesOfKind: [RoleKind: [String]] = [:]
        for role in roles {
            if let kind = role.kind, let name = role.name?.value { rolesOfKind[kind, default: []].append(name) }
        }
        return topics.map { draft in
            var topic = draft
            topic.producers = resolve(draft.producers, field: "producers", in: draft, rolesOfKind: rolesOfKind, log: log)
            topic.consumers = resolve(draft.consumers, field: "consumers", in: draft, rolesOfKind: rolesOfKind, log: log)
            for entry in draft.producers {
                guard kindName(entry.value) != nil, let types = topic.producerTypes.removeValue(forKey: entry.value) else { continue }
                for role in expand(entry, rolesOfKind: rolesOfKind) where topic.producerTypes[role.value] == nil {
                    topic.producerTypes[role.value] = types
                }
            }
            return topic
        }
    }

    private static func expand(_ entry: Located<String>, rolesOfKind: [RoleKind: [String]]) -> [Located<String>] {
        guard let name = kindName(entry.value), let kind = RoleKind(rawValue: name) else { return [] }
        return (rolesOfKind[kind] ?? []).map { Located(value: $0, location: entry.location) }
    }

    private static func resolve(
        _ entries: [Located<String>], field: String, in topic: TopicDraft,
        rolesOfKind: [RoleKind: [String]], log: IssueLog
    ) -> [Located<String>] {
        // Which entry brought each role in, to name it when a role comes twice.
        var broughtBy: [String: String] = [:]
        var resolved: [Located<String>] = []
        for entry in entries {
            guard let name = kindName(entry.value) else {
                if let earlier = broughtBy[entry.value], earlier != entry.value {
                    reportTwice(entry.value, at: entry.location, by: earlier, field: field, in: topic, log: log)
                    continue
                }
                broughtBy[entry.value] = entry.value
                resolved.append(entry)
                continue
            }
            guard RoleKind(rawValue: name) != nil else {
                let kinds = RoleKind.allCases.map { prefix + $0.rawValue }
                log.error(entry.location, topic.subject, field: field, "unknown role kind \"\(name)\" in \"\(entry.value)\"",
                          fix: Suggestions.didYouMean(entry.value, in: kinds, otherwise: "use one of \(kinds.joined(separator: ", "))"))
                continue
            }
            let members = expand(entry, rolesOfKind: rolesOfKind)
            if members.isEmpty {
                log.warning(entry.location, topic.subject, field: field, "\"\(entry.value)\" names no role: none is of kind \(name)",
                            fix: "declare a role of kind \(name) or remove the entry")
            }
            for role in members {
                if let earlier = broughtBy[role.value] {
                    reportTwice(role.value, at: entry.location, by: earlier, also: entry.value, field: field, in: topic, log: log)
                    continue
                }
                broughtBy[role.value] = entry.value
                resolved.append(role)
            }
        }
        return resolved
    }

    private static func reportTwice(
        _ role: String, at location: SourceLocation, by earlier: String, also later: String? = nil,
        field: String, in topic: TopicDraft, log: IssueLog
    ) {
        let entries = [earlier, later ?? role].map { "\"\($0)\"" }.joined(separator: " and ")
        log.error(location, topic.subject, field: field, "role \"\(role)\" is listed twice, by \(entries)",
                  fix: "remove \"\(role)\" or the kind entry: a kind entry already names every role of its kind")
    }
}
