// Turns one YAML file into drafts of roles and topics, keeping line numbers.
// Checks only what one field on its own can tell (syntax, types, formats);
// rules across fields, topics and files live in CatalogValidator.

import Foundation
import Yams

/// A role as read from a file; `nil` fields were missing or malformed (already reported).
struct RoleDraft {
    let reader: FieldReader
    var name: Located<String>?
    var kind: RoleKind?
    var description: String?
    var actsThrough: Located<String>?
}

/// A topic as read from a file; `nil` fields were missing or malformed (already reported).
struct TopicDraft {
    let reader: FieldReader
    var name: Located<String>?
    var description: String?
    var key: Located<TopicKey>?
    var partitions: Located<Int>?
    var replication: Located<Int>?
    var retention: Located<Retention>?
    var cleanup: CleanupPolicy = .delete
    var configs: [(key: Located<String>, value: Located<String>)] = []
    /// `nil` when missing or malformed; `.any` or the listed names otherwise.
    var typesAreAny = false
    var types: [Located<String>]?
    var producers: [Located<String>] = []
    /// Per producer (by name) the types it was restricted to, when the map form was used.
    var producerTypes: [String: [Located<String>]] = [:]
    var consumers: [Located<String>] = []
    var taskFor: Located<String>?
    var deadLetter = false

    var subject: String { name.map { "topic \"\($0.value)\"" } ?? reader.subject }
    func at(_ field: String) -> SourceLocation { reader.fieldLocation(field) }
}

/// Everything one file declares.
struct FileDraft {
    var roles: [RoleDraft] = []
    var topics: [TopicDraft] = []
    var partitioner: Located<KeyPartitioner>?
}

enum CatalogParser {
    static let supportedVersion = 1
    static let topLevelFields = ["catalog", "partitioner", "roles", "topics"]
    static let roleFields = ["name", "kind", "description", "acts_through"]
    static let topicFields = [
        "name", "description", "key", "partitions", "replication", "retention", "cleanup",
        "configs", "types", "producers", "consumers", "task_for", "dead_letter",
    ]

    /// Parses one file. Problems go to `log`; returns what could be read.
    static func parse(yaml: String, fileName: String, log: IssueLog) -> FileDraft {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            reportSyntax(error, fileName: fileName, log: log)
            return FileDraft()
        }
        let start = SourceLocation(file: fileName, line: 1, column: 1)
        guard let root else {
            log.error(start, "catalog", "the file is empty", fix: "start it with `catalog: \(supportedVersion)`")
            return FileDraft()
        }
        guard case .mapping(let top) = root else {
            log.error(FieldReader.location(of: root.mark, in: fileName), "catalog",
                      "the file must be a map with `catalog`, `roles` and `topics`, found \(FieldReader.describe(root))",
                      fix: "start it with `catalog: \(supportedVersion)`")
            return FileDraft()
        }
        let reader = FieldReader(top, file: fileName, subject: "catalog", known: topLevelFields, log: log)
        if let version = reader.int("catalog", example: "\(supportedVersion)"), version.value != supportedVersion {
            log.error(version.location, "catalog", field: "catalog", "unknown catalog version \(version.value)",
                      fix: "this build reads version \(supportedVersion)")
        }
        var draft = FileDraft()
        if let partitioner = reader.string("partitioner", required: false, example: KeyPartitioner.consistentRandom.rawValue) {
            if let known = KeyPartitioner(rawValue: partitioner.value) {
                draft.partitioner = Located(value: known, location: partitioner.location)
            } else {
                let names = KeyPartitioner.allCases.map(\.rawValue)
                log.error(partitioner.location, "catalog", field: "partitioner", "unknown partitioner \"\(partitioner.value)\"",
                          fix: Suggestions.didYouMean(partitioner.value, in: names, otherwise: "use \(names.joined(separator: ", "))"))
            }
        }
        if let roles = reader.node("roles", required: false, example: "[]") {
            draft.roles = items(of: roles, field: "roles", reader: reader).enumerated().compactMap { index, node in
                parseRole(node, index: index, file: fileName, log: log)
            }
        }
        if let topics = reader.node("topics", required: false, example: "[]") {
            draft.topics = items(of: topics, field: "topics", reader: reader).enumerated().compactMap { index, node in
                parseTopic(node, index: index, file: fileName, log: log)
            }
        }
        return draft
    }

    private static func items(of node: Node, field: String, reader: FieldReader) -> [Node] {
        if case .scalar(let s) = node, s.style == .plain, s.string.isEmpty { return [] }
        guard case .sequence(let list) = node else {
            reader.log.error(reader.location(of: node), "catalog", field: field,
                             "expected a list of entries starting with `- name:`, found \(FieldReader.describe(node))")
            return []
        }
        return Array(list)
    }

    private static func reportSyntax(_ error: Error, fileName: String, log: IssueLog) {
        var mark: Mark?
        var problem = "\(error)"
        if let yamlError = error as? YamlError {
            switch yamlError {
            case let .scanner(context, text, m, _), let .parser(context, text, m, _), let .composer(context, text, m, _):
                mark = m
                problem = (context.map { "\($0.text) " } ?? "") + text
            case let .duplicatedKeysInMapping(duplicates, context):
                mark = context.mark
                problem = "duplicate key \(duplicates.map { "\"\($0)\"" }.joined(separator: ", ")) in one map"
            case let .reader(text, _, _, _):
                problem = text
            default:
                break
            }
        }
        let at = SourceLocation(file: fileName, line: mark?.line ?? 0, column: mark?.column ?? 0)
        log.error(at, "YAML syntax", problem,
                  fix: "check indentation, colons and quoting near line \(at.line), column \(at.column)")
    }

    private static func parseRole(_ node: Node, index: Int, file: String, log: IssueLog) -> RoleDraft? {
        guard case .mapping(let mapping) = node else {
            log.error(FieldReader.location(of: node.mark, in: file), "role #\(index + 1)",
                      "expected a map with name, kind, description, found \(FieldReader.describe(node))")
            return nil
        }
        let provisional = FieldReader(mapping, file: file, subject: "role #\(index + 1)", known: roleFields, log: IssueLog())
        let name = provisional.string("name", required: false).map(\.value)
        let subject = name.map { "role \"\($0)\"" } ?? "role #\(index + 1)"
        let reader = FieldReader(mapping, file: file, subject: subject, known: roleFields, log: log)
        var role = RoleDraft(reader: reader)
        role.name = reader.string("name", example: "coding")
        if let kind = reader.string("kind", example: "agent") {
            role.kind = RoleKind(rawValue: kind.value)
            if role.kind == nil {
                let kinds = RoleKind.allCases.map(\.rawValue)
                log.error(kind.location, subject, field: "kind", "unknown kind \"\(kind.value)\"",
                          fix: Suggestions.didYouMean(kind.value, in: kinds, otherwise: "use one of \(kinds.joined(separator: ", "))"))
            }
        }
        role.description = reader.string("description", example: "what the role does")?.value
        role.actsThrough = reader.string("acts_through", required: false, example: "meshctl")
        return role
    }

    private static func parseTopic(_ node: Node, index: Int, file: String, log: IssueLog) -> TopicDraft? {
        guard case .mapping(let mapping) = node else {
            log.error(FieldReader.location(of: node.mark, in: file), "topic #\(index + 1)",
                      "expected a map with name, key, partitions, ..., found \(FieldReader.describe(node))")
            return nil
        }
        // Read the name quietly first so every message can say which topic it is about.
        let provisional = FieldReader(mapping, file: file, subject: "", known: topicFields, log: IssueLog())
        let name = provisional.string("name", required: false).map(\.value)
        let subject = name.map { "topic \"\($0)\"" } ?? "topic #\(index + 1)"
        let reader = FieldReader(mapping, file: file, subject: subject, known: topicFields, log: log)

        var topic = TopicDraft(reader: reader)
        topic.name = reader.string("name", example: "mesh.results")
        topic.description = reader.string("description", example: "what flows on it")?.value
        if let key = reader.string("key", example: "correlation_id") {
            if let parsed = TopicKey(rawValue: key.value) {
                topic.key = Located(value: parsed, location: key.location)
            } else {
                let keys = TopicKey.allCases.map(\.rawValue)
                log.error(key.location, subject, field: "key", "unknown key \"\(key.value)\"",
                          fix: Suggestions.didYouMean(key.value, in: keys, otherwise: "use one of \(keys.joined(separator: ", "))"))
            }
        }
        topic.partitions = reader.int("partitions", example: "12")
        if let p = topic.partitions, p.value < 1 {
            log.error(p.location, subject, field: "partitions", "has \(p.value) partitions", fix: "a topic needs at least 1")
            topic.partitions = nil
        }
        topic.replication = reader.int("replication", example: "3")
        if let r = topic.replication, r.value < 1 {
            log.error(r.location, subject, field: "replication", "replication factor \(r.value) is below 1",
                      fix: "use 3 on a real cluster (1 is applied automatically on a single broker)")
            topic.replication = nil
        }
        if let text = reader.string("retention", example: "7d") {
            if let retention = Retention(parsing: text.value) {
                topic.retention = Located(value: retention, location: text.location)
            } else {
                log.error(text.location, subject, field: "retention", "bad retention \"\(text.value)\"",
                          fix: "write a positive number with a unit ms, s, m, h, d or w (e.g. 12h, 7d), or `forever`")
            }
        }
        if let text = reader.string("cleanup", required: false, example: "delete") {
            let normalized = text.value.replacingOccurrences(of: " ", with: "")
            if let policy = CleanupPolicy(rawValue: normalized == "delete,compact" ? "compact,delete" : normalized) {
                topic.cleanup = policy
            } else {
                let names = CleanupPolicy.allCases.map(\.rawValue)
                log.error(text.location, subject, field: "cleanup", "unknown cleanup policy \"\(text.value)\"",
                          fix: Suggestions.didYouMean(text.value, in: names, otherwise: "use one of \(names.joined(separator: ", "))"))
            }
        }
        topic.configs = reader.stringMap("configs") ?? []
        if let types = reader.node("types", required: true, example: "[agentmesh.task.result.v1]") {
            if case .scalar(let s) = types, s.style == .plain, s.string == "any" {
                topic.typesAreAny = true
                topic.types = []
            } else {
                topic.types = reader.stringList(types, field: "types", example: "agentmesh.task.result.v1")
            }
        }
        if let producers = reader.node("producers", required: true, example: "[orchestrator]") {
            parseProducers(producers, into: &topic)
        }
        if let consumers = reader.node("consumers", required: true, example: "[orchestrator, audit-sink]") {
            topic.consumers = reader.stringList(consumers, field: "consumers", example: "audit-sink") ?? []
        }
        topic.taskFor = reader.string("task_for", required: false, example: "coding")
        topic.deadLetter = reader.bool("dead_letter")?.value ?? false
        return topic
    }

    /// `producers: [a, b]` or `producers: {a: [type, ...], b: [...]}`.
    private static func parseProducers(_ node: Node, into topic: inout TopicDraft) {
        let reader = topic.reader
        if case .mapping(let grants) = node {
            for (roleNode, typesNode) in grants {
                guard let role = reader.text(roleNode, field: "producers", example: "orchestrator") else { continue }
                topic.producers.append(role)
                topic.producerTypes[role.value] =
                    reader.stringList(typesNode, field: "producers", example: "agentmesh.task.result.v1") ?? []
            }
        } else {
            topic.producers = reader.stringList(node, field: "producers", example: "orchestrator") ?? []
        }
    }
}
