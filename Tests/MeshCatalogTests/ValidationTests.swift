// One test per validation rule: a hand-written bad snippet, and the file, line and field reported.

import Foundation
import XCTest
@testable import MeshCatalog

final class ValidationTests: XCTestCase {
    // MARK: Syntax and format

    func testYAMLSyntaxErrorReportsLine() {
        let yaml = """
        catalog: 1
        roles:
          - name: orchestrator
            kind: [orchestrator
            description: plans
        """
        let error = Fixtures.error(yaml)
        XCTAssertEqual(error.issues.count, 1)
        let issue = error.issues[0]
        XCTAssertEqual(issue.location.file, Fixtures.fileName)
        XCTAssertGreaterThanOrEqual(issue.location.line, 4)
        XCTAssertTrue(issue.description.contains("YAML syntax"), issue.description)
    }

    func testDuplicateKeyInOneMapIsASyntaxError() {
        let (yaml, line) = Fixtures.adding("partitions: 6", to: "mesh.results")
        let error = Fixtures.error(yaml)
        XCTAssertTrue(error.description.contains("duplicate key \"partitions\""), error.description)
        XCTAssertTrue(error.description.contains("\(Fixtures.fileName):\(line):") ||
                      error.description.contains("\(Fixtures.fileName):\(line + 4):"), error.description)
    }

    func testEmptyFile() {
        let error = Fixtures.error("# only a comment\n")
        assertReports(error, line: 1, field: nil, "the file is empty")
    }

    func testUnknownCatalogVersion() {
        let yaml = Fixtures.base.replacingOccurrences(of: "catalog: 1", with: "catalog: 2")
        assertReports(Fixtures.error(yaml), line: 1, field: "catalog", "unknown catalog version 2", "reads version 1")
    }

    func testMissingVersion() {
        let yaml = Fixtures.base.replacingOccurrences(of: "catalog: 1\n", with: "")
        assertReports(Fixtures.error(yaml), line: 1, field: "catalog", "missing required field")
    }

    func testMissingRequiredField() {
        let yaml = Fixtures.removing("retention", of: "mesh.results")
        let line = Fixtures.line(of: "- name: mesh.results", in: yaml)
        assertReports(Fixtures.error(yaml), line: line, field: "retention",
                      "topic \"mesh.results\"", "missing required field", "add `retention: 7d`")
    }

    func testUnknownFieldSuggestsClosest() {
        let yaml = Fixtures.base.replacingOccurrences(
            of: "    partitions: 6\n", with: "    partitons: 6\n")
        let line = Fixtures.line(of: "partitons", in: yaml)
        let error = Fixtures.error(yaml)
        assertReports(error, line: line, field: "partitons", "unknown field", "did you mean \"partitions\"?")
        // The misspelling is the one problem: no extra "missing partitions" message.
        XCTAssertEqual(error.errors.count, 1, error.description)
    }

    func testUnknownTopLevelFieldSuggestsClosest() {
        let yaml = Fixtures.base.replacingOccurrences(of: "topics:", with: "topcs:")
        let line = Fixtures.line(of: "topcs:", in: yaml)
        assertReports(Fixtures.error(yaml), line: line, field: "topcs", "did you mean \"topics\"?")
    }

    func testStringWhereIntegerExpected() {
        let (yaml, line) = Fixtures.setting("partitions", of: "mesh.tasks.coding", to: "six")
        assertReports(Fixtures.error(yaml), line: line, field: "partitions",
                      "topic \"mesh.tasks.coding\"", "expected an integer, found \"six\"")
    }

    func testQuotedIntegerSuggestsRemovingQuotes() {
        let (yaml, line) = Fixtures.setting("replication", of: "mesh.tasks.coding", to: "\"3\"")
        assertReports(Fixtures.error(yaml), line: line, field: "replication", "quoted", "remove the quotes")
    }

    func testListWhereTextExpected() {
        let (yaml, line) = Fixtures.setting("description", of: "mesh.results", to: "[a, b]")
        assertReports(Fixtures.error(yaml), line: line, field: "description", "expected text, found a list")
    }

    func testScalarWhereListExpected() {
        let (yaml, line) = Fixtures.setting("consumers", of: "mesh.results", to: "orchestrator")
        assertReports(Fixtures.error(yaml), line: line, field: "consumers", "expected a list")
    }

    func testPartitionsBelowOne() {
        let (yaml, line) = Fixtures.setting("partitions", of: "mesh.deadletter", to: "0")
        assertReports(Fixtures.error(yaml), line: line, field: "partitions", "has 0 partitions", "at least 1")
    }

    func testReplicationBelowOne() {
        let (yaml, line) = Fixtures.setting("replication", of: "mesh.deadletter", to: "0")
        assertReports(Fixtures.error(yaml), line: line, field: "replication", "below 1")
    }

    func testBadRetentionFormat() {
        for bad in ["7 days", "7", "d7", "0d", "-1h", "7y"] {
            let (yaml, line) = Fixtures.setting("retention", of: "mesh.results", to: bad)
            assertReports(Fixtures.error(yaml), line: line, field: "retention", "bad retention", "forever")
        }
    }

    func testUnknownCleanupPolicy() {
        let (yaml, line) = Fixtures.adding("cleanup: compacted", to: "mesh.results")
        assertReports(Fixtures.error(yaml), line: line, field: "cleanup", "did you mean \"compact\"?")
    }

    func testUnknownKey() {
        let (yaml, line) = Fixtures.setting("key", of: "mesh.results", to: "correlation")
        assertReports(Fixtures.error(yaml), line: line, field: "key", "unknown key", "correlation_id")
    }

    func testUnknownRoleKind() {
        let (yaml, line) = Fixtures.setting("kind", of: "coding", to: "agnet")
        assertReports(Fixtures.error(yaml), line: line, field: "kind", "role \"coding\"", "did you mean \"agent\"?")
    }

    // MARK: Names and duplicates

    func testDuplicateTopicInOneFileNamesBothLines() {
        let yaml = Fixtures.base.replacingOccurrences(of: "name: mesh.tasks.coding", with: "name: mesh.results")
        let first = Fixtures.line(of: "name: mesh.results", in: yaml)
        let second = Fixtures.line(of: "name: mesh.results", in: yaml, after: first)
        assertReports(Fixtures.error(yaml), line: second, field: "name",
                      "duplicate topic", "already declared at \(Fixtures.fileName):\(first)")
    }

    func testDuplicateTopicAcrossFilesNamesBothFiles() throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("catalog-\(UUID().uuidString)")
            .appendingPathComponent("Topics")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }
        try Fixtures.base.write(to: folder.appendingPathComponent("a-mesh.yaml"), atomically: true, encoding: .utf8)
        let extra = """
        catalog: 1
        # an extra file re-declaring a topic
        topics:
          - name: mesh.results
            description: again
            key: correlation_id
            partitions: 12
            replication: 3
            retention: 7d
            types: [agentmesh.task.result.v1]
            producers: [coding]
            consumers: [orchestrator, audit-sink]
        """
        try extra.write(to: folder.appendingPathComponent("b-extra.yaml"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try CatalogLoader.load(directory: folder)) { error in
            guard let error = error as? CatalogError else { return XCTFail("\(error)") }
            let first = Fixtures.line(of: "name: mesh.results", in: Fixtures.base)
            assertReports(error, line: 4, field: "name", "duplicate topic",
                          "already declared at Topics/a-mesh.yaml:\(first)", fileName: "Topics/b-extra.yaml")
        }
    }

    func testDuplicateRole() {
        let yaml = Fixtures.base.replacingOccurrences(of: "name: meshctl", with: "name: coding")
        let first = Fixtures.line(of: "name: coding", in: yaml)
        let second = Fixtures.line(of: "name: coding", in: yaml, after: first)
        assertReports(Fixtures.error(yaml), line: second, field: "name",
                      "duplicate role", "already declared at \(Fixtures.fileName):\(first)")
    }

    func testInvalidTopicNames() {
        let cases = ["mesh/results": "characters", "..": "not allowed", String(repeating: "a", count: 250): "at most 249"]
        for (name, fragment) in cases {
            let (yaml, line) = Fixtures.setting("name", of: "mesh.results", to: "\"\(name)\"")
            assertReports(Fixtures.error(yaml), line: line, field: "name", "invalid topic name", fragment)
        }
        XCTAssertNil(CatalogValidator.topicNameProblem(String(repeating: "a", count: 249)))
        XCTAssertNil(CatalogValidator.topicNameProblem("Mesh_results-2.x"))
    }

    func testTopicNamesCollidingInMetrics() {
        let (yaml, line) = Fixtures.setting("name", of: "mesh.tasks.coding", to: "mesh_results")
        assertReports(Fixtures.error(yaml), line: line, field: "name", "collides with topic \"mesh.results\"")
    }

    // MARK: Roles and types

    func testUnknownRoleInProducersSuggestsClosest() {
        let (yaml, line) = Fixtures.setting("producers", of: "mesh.results", to: "[codng]")
        assertReports(Fixtures.error(yaml), line: line, field: "producers",
                      "unknown role \"codng\"", "did you mean \"coding\"?")
    }

    func testUnknownRoleInConsumers() {
        let (yaml, line) = Fixtures.setting("consumers", of: "mesh.results", to: "[orchestrator, audit-sink, qa]")
        assertReports(Fixtures.error(yaml), line: line, field: "consumers", "unknown role \"qa\"", "declare it")
    }

    func testRoleListedTwice() {
        let (yaml, line) = Fixtures.setting("producers", of: "mesh.results", to: "[coding, coding]")
        assertReports(Fixtures.error(yaml), line: line, field: "producers", "listed twice")
    }

    func testUnknownEnvelopeTypeSuggestsClosest() {
        let (yaml, line) = Fixtures.setting("types", of: "mesh.results", to: "[agentmesh.task.results.v1]")
        assertReports(Fixtures.error(yaml), line: line, field: "types",
                      "unknown envelope type", "did you mean \"agentmesh.task.result.v1\"?")
    }

    func testKnownEnvelopeTypesCanBeSupplied() throws {
        var types = MeshEnvelopeTypes.standard
        types.remove("agentmesh.task.result.v1")
        let error = Fixtures.error(Fixtures.base, knownTypes: types)
        let line = Fixtures.line(of: "[agentmesh.task.result.v1]", in: Fixtures.base)
        assertReports(error, line: line, field: "types", "unknown envelope type \"agentmesh.task.result.v1\"")

        let (yaml, _) = Fixtures.setting("types", of: "mesh.results", to: "[agentmesh.task.result.v2]")
        types.insert("agentmesh.task.result.v2")
        XCTAssertNoThrow(try CatalogLoader.parse(yaml: yaml, knownEnvelopeTypes: types))
    }

    func testProducerGrantOfTypeTheTopicDoesNotCarry() {
        let (yaml, line) = Fixtures.setting(
            "producers", of: "mesh.results", to: "{coding: [agentmesh.task.assigned.v1]}")
        let error = Fixtures.error(yaml)
        assertReports(error, line: line, field: "producers", "does not carry")
    }

    func testEmptyTypesList() {
        let (yaml, line) = Fixtures.setting("types", of: "mesh.results", to: "[]")
        assertReports(Fixtures.error(yaml), line: line, field: "types", "carries no envelope types", "types: any")
    }

    func testDeclaredTypeNobodyMayWriteWarns() throws {
        let (yaml, line) = Fixtures.setting(
            "types", of: "mesh.objectives",
            to: "[agentmesh.objective.submitted.v1, agentmesh.objective.cancel_requested.v1]")
        let (granted, _) = Fixtures.setting(
            "producers", of: "mesh.objectives", to: "{meshctl: [agentmesh.objective.submitted.v1]}", in: yaml)
        let catalog = try CatalogLoader.parse(yaml: granted, fileName: Fixtures.fileName)
        XCTAssertEqual(catalog.warnings.map(\.location.line), [line])
        XCTAssertTrue(catalog.warnings[0].description.contains(
            "no producer may write \"agentmesh.objective.cancel_requested.v1\""), catalog.warnings[0].description)
        XCTAssertFalse(catalog.mayProduce(role: "meshctl", type: "agentmesh.objective.cancel_requested.v1", on: "mesh.objectives"))
    }

    func testActsThroughOnlyForPersons() {
        let (yaml, line) = Fixtures.adding("acts_through: meshctl", to: "coding")
        assertReports(Fixtures.error(yaml), line: line, field: "acts_through", "only a person")
    }

    func testActsThroughMustNameAnOperator() {
        let yaml = Fixtures.base.replacingOccurrences(
            of: "    description: cli\n",
            with: "    description: cli\n  - name: approver\n    kind: person\n    acts_through: coding\n    description: signs\n")
        let line = Fixtures.line(of: "acts_through", in: yaml)
        assertReports(Fixtures.error(yaml), line: line, field: "acts_through", "not an operator tool")
    }

    // MARK: Producers, consumers, audit

    func testTopicNobodyProducesIsAnError() {
        let (yaml, line) = Fixtures.setting("producers", of: "mesh.results", to: "[]")
        assertReports(Fixtures.error(yaml), line: line, field: "producers", "nobody produces")
    }

    func testTopicNobodyConsumesIsAWarningButAuditMissingIsAnError() {
        let (yaml, line) = Fixtures.setting("consumers", of: "mesh.results", to: "[]")
        let error = Fixtures.error(yaml)
        assertReports(error, line: line, field: "consumers", "warning: ", "nobody consumes")
        assertReports(error, line: line, field: "consumers", "audit role \"audit-sink\" does not consume")
        XCTAssertEqual(error.errors.count, 1, error.description)
    }

    func testNobodyConsumesAloneOnlyWarns() throws {
        // Without an audit role, an unconsumed topic loads with a warning.
        var yaml = Fixtures.base
        for topic in ["mesh.objectives", "mesh.results"] {
            yaml = Fixtures.setting("consumers", of: topic, to: "[orchestrator]", in: yaml).yaml
        }
        yaml = Fixtures.setting("consumers", of: "mesh.tasks.coding", to: "[coding]", in: yaml).yaml
        yaml = Fixtures.setting("consumers", of: "mesh.deadletter", to: "[]", in: yaml).yaml
        yaml = yaml.replacingOccurrences(of: "    kind: audit\n", with: "    kind: operator\n")
        let catalog = try CatalogLoader.parse(yaml: yaml, fileName: Fixtures.fileName)
        XCTAssertEqual(catalog.warnings.count, 1)
        XCTAssertTrue(catalog.warnings[0].description.contains("warning: topic \"mesh.deadletter\": field \"consumers\": nobody consumes"),
                      catalog.warnings[0].description)
    }

    func testAuditRoleMustConsumeEveryTopic() {
        let (yaml, line) = Fixtures.setting("consumers", of: "mesh.tasks.coding", to: "[coding]")
        assertReports(Fixtures.error(yaml), line: line, field: "consumers",
                      "topic \"mesh.tasks.coding\"", "audit role \"audit-sink\"", "add \"audit-sink\"")
    }

    // MARK: Co-partitioning

    func testCoPartitioningBroken() {
        let (yaml, line) = Fixtures.setting("partitions", of: "mesh.results", to: "3")
        let error = Fixtures.error(yaml)
        assertReports(error, line: line, field: "partitions", "topic \"mesh.results\"",
                      "has 3 partitions but the orchestrator's inputs need 12 (co-partitioning)",
                      "set `partitions: 12` like mesh.objectives")
    }

    func testTopicsNotConsumedByOrchestratorMayDiffer() throws {
        // The task topic has 6 partitions and is not an orchestrator input: fine.
        let catalog = try CatalogLoader.parse(yaml: Fixtures.base)
        XCTAssertEqual(catalog.topic(named: "mesh.tasks.coding")?.partitions, 6)
        // Making the orchestrator consume it pulls it into the co-partitioned set.
        let (yaml, line) = Fixtures.setting("consumers", of: "mesh.tasks.coding", to: "[coding, orchestrator, audit-sink]")
        let partitionsLine = Fixtures.line(of: "partitions: 6", in: yaml)
        XCTAssertGreaterThan(line, partitionsLine)
        assertReports(Fixtures.error(yaml), line: partitionsLine, field: "partitions", "need 12 (co-partitioning)")
    }

    // MARK: Kafka semantics

    func testCompactedTopicNeedsAKey() {
        let (withCleanup, _) = Fixtures.adding("cleanup: compact", to: "mesh.deadletter")
        let (yaml, _) = Fixtures.setting("retention", of: "mesh.deadletter", to: "forever", in: withCleanup)
        let line = Fixtures.line(of: "key: none", in: yaml)
        assertReports(Fixtures.error(yaml), line: line, field: "key", "compacted topic needs a key")
    }

    func testCompactOnlyWithFiniteRetentionWarns() throws {
        let (yaml, _) = Fixtures.adding("cleanup: compact", to: "mesh.objectives")
        let catalog = try CatalogLoader.parse(yaml: yaml, fileName: Fixtures.fileName)
        XCTAssertEqual(catalog.warnings.count, 1)
        XCTAssertTrue(catalog.warnings[0].description.contains("field \"retention\": retention 7d has no effect"))
    }

    func testConfigsMayNotOverrideRetentionOrCleanup() {
        let (yaml, line) = Fixtures.adding("configs: {retention.ms: \"1000\"}", to: "mesh.results")
        assertReports(Fixtures.error(yaml), line: line, field: "configs", "set from the `retention` field")
    }

    func testMinInsyncReplicasAboveReplication() {
        let (yaml, line) = Fixtures.adding("configs: {min.insync.replicas: 4}", to: "mesh.results")
        assertReports(Fixtures.error(yaml), line: line, field: "configs", "exceeds the replication factor 3")
    }

    func testBadConfigName() {
        let (yaml, line) = Fixtures.adding("configs: {Max Message: 1}", to: "mesh.results")
        assertReports(Fixtures.error(yaml), line: line, field: "configs", "not a Kafka topic config name")
    }

    // MARK: Task and dead-letter topics

    func testTaskTopicMustBeForAnAgent() {
        let (yaml, line) = Fixtures.setting("task_for", of: "mesh.tasks.coding", to: "meshctl")
        let error = Fixtures.error(yaml)
        assertReports(error, line: line, field: "task_for", "not an agent role")
        let roleLine = Fixtures.line(of: "name: coding", in: yaml)
        assertReports(error, line: roleLine, field: nil, "role \"coding\"", "no task topic", "task_for: coding")
    }

    func testSecondDeadLetterTopic() {
        let (yaml, line) = Fixtures.adding("dead_letter: true", to: "mesh.results")
        let error = Fixtures.error(yaml)
        let other = Fixtures.line(of: "dead_letter: true", in: yaml, after: line)
        assertReports(error, line: line, field: "dead_letter", "2 dead-letter topics",
                      "also topic \"mesh.deadletter\" at \(Fixtures.fileName):\(other)")
        assertReports(error, line: other, field: "dead_letter", "also topic \"mesh.results\" at \(Fixtures.fileName):\(line)")
    }

    func testMissingDeadLetterTopic() {
        let yaml = Fixtures.removing("dead_letter", of: "mesh.deadletter")
        assertReports(Fixtures.error(yaml), line: 1, field: "dead_letter", "no dead-letter topic")
    }

    // MARK: Many at once

    func testAllErrorsAreReportedAtOnce() {
        var yaml = Fixtures.base
        let partitions: Int, retention: Int, producers: Int, typo: Int
        (yaml, partitions) = Fixtures.setting("partitions", of: "mesh.results", to: "twelve", in: yaml)
        (yaml, retention) = Fixtures.setting("retention", of: "mesh.objectives", to: "a week", in: yaml)
        (yaml, producers) = Fixtures.setting("producers", of: "mesh.tasks.coding", to: "[orchestrater]", in: yaml)
        (yaml, typo) = Fixtures.adding("replicaton: 3", to: "mesh.deadletter", in: yaml)
        let error = Fixtures.error(yaml)
        XCTAssertGreaterThanOrEqual(error.errors.count, 4, error.description)
        assertReports(error, line: partitions, field: "partitions", "expected an integer")
        assertReports(error, line: retention, field: "retention", "bad retention")
        assertReports(error, line: producers, field: "producers", "did you mean \"orchestrator\"?")
        assertReports(error, line: typo, field: "replicaton", "did you mean \"replication\"?")
        XCTAssertTrue(error.description.hasPrefix("topic catalog has \(error.errors.count) errors:"))
        // Messages come in line order.
        let lines = error.issues.map(\.location.line)
        XCTAssertEqual(lines, lines.sorted())
    }
}
