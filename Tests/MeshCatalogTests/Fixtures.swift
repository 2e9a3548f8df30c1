// Shared test fixtures: a small valid catalog to mutate, and assertion helpers.

import Foundation
import XCTest
@testable import MeshCatalog

enum Fixtures {
    /// The repository's `Topics/` folder, found from this file's path.
    static var topicsDirectory: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // MeshCatalogTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // repository root
            .appendingPathComponent("Topics")
    }

    static let fileName = "Topics/mesh.yaml"

    /// A minimal valid catalog: every rule passes.
    static let base = """
    catalog: 1
    roles:
      - name: orchestrator
        kind: orchestrator
        description: plans
      - name: coding
        kind: agent
        description: codes
      - name: audit-sink
        kind: audit
        description: audits
      - name: meshctl
        kind: operator
        description: cli
    topics:
      - name: mesh.objectives
        description: objectives
        key: correlation_id
        partitions: 12
        replication: 3
        retention: 7d
        types: [agentmesh.objective.submitted.v1]
        producers: [meshctl]
        consumers: [orchestrator, audit-sink]
      - name: mesh.results
        description: results
        key: correlation_id
        partitions: 12
        replication: 3
        retention: 7d
        types: [agentmesh.task.result.v1]
        producers: [coding]
        consumers: [orchestrator, audit-sink]
      - name: mesh.tasks.coding
        description: tasks
        task_for: coding
        key: correlation_id
        partitions: 6
        replication: 3
        retention: 7d
        types: [agentmesh.task.assigned.v1]
        producers: [orchestrator]
        consumers: [coding, audit-sink]
      - name: mesh.deadletter
        description: dead letters
        dead_letter: true
        key: none
        partitions: 3
        replication: 3
        retention: 30d
        types: any
        producers: [orchestrator, coding, meshctl]
        consumers: [meshctl, audit-sink]

    """

    /// 1-based line number of the first line containing `needle` at or after line `after`.
    static func line(of needle: String, in yaml: String, after: Int = 0) -> Int {
        let lines = yaml.components(separatedBy: "\n")
        for index in lines.indices where index + 1 > after && lines[index].contains(needle) {
            return index + 1
        }
        XCTFail("\(needle) not in yaml")
        return 0
    }

    /// Replaces the value of `field` in the block of `entry` (a topic or role name) and
    /// returns the new text and the line of the changed field.
    static func setting(
        _ field: String, of entry: String, to value: String, in yaml: String = base
    ) -> (yaml: String, line: Int) {
        var lines = yaml.components(separatedBy: "\n")
        let start = line(of: "- name: \(entry)", in: yaml)
        var index = start - 1  // 0-based index of the `- name:` line
        func fieldName(_ line: String) -> Bool {
            var text = line.trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("- ") { text.removeFirst(2) }
            return text.hasPrefix("\(field):")
        }
        while index < lines.count, !fieldName(lines[index]) {
            index += 1
        }
        precondition(index < lines.count, "\(field) not found in \(entry)")
        let indent = lines[index].prefix { $0 == " " || $0 == "-" }
        lines[index] = "\(indent)\(field): \(value)"
        return (lines.joined(separator: "\n"), index + 1)
    }

    /// Inserts `text` (one line, indented like the entry's fields) after the `- name:` line of `entry`.
    static func adding(_ text: String, to entry: String, in yaml: String = base) -> (yaml: String, line: Int) {
        var lines = yaml.components(separatedBy: "\n")
        let start = line(of: "- name: \(entry)", in: yaml)
        lines.insert("    " + text, at: start)
        return (lines.joined(separator: "\n"), start + 1)
    }

    /// Removes the line of `field` in the block of `entry`.
    static func removing(_ field: String, of entry: String, in yaml: String = base) -> String {
        var lines = yaml.components(separatedBy: "\n")
        let (_, line) = setting(field, of: entry, to: "", in: yaml)
        lines.remove(at: line - 1)
        return lines.joined(separator: "\n")
    }

    /// The error thrown by loading `yaml`; fails the test if it loads.
    static func error(
        _ yaml: String, knownTypes: Set<String> = MeshEnvelopeTypes.standard,
        file: StaticString = #filePath, line: UInt = #line
    ) -> CatalogError {
        do {
            _ = try CatalogLoader.parse(yaml: yaml, fileName: fileName, knownEnvelopeTypes: knownTypes)
            XCTFail("expected the catalog to be rejected", file: file, line: line)
        } catch let error as CatalogError {
            return error
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
        return CatalogError(issues: [])
    }
}

/// Asserts some line of `error` names the file and line, the field (if given) and all `fragments`.
func assertReports(
    _ error: CatalogError, line expectedLine: Int, field: String?, _ fragments: String...,
    fileName: String = Fixtures.fileName, file: StaticString = #filePath, line: UInt = #line
) {
    let text = error.description
    let matches = error.issues.map(\.description).filter { message in
        message.hasPrefix("\(fileName):\(expectedLine): ")
            && (field.map { message.contains("field \"\($0)\"") } ?? true)
            && fragments.allSatisfy { message.contains($0) }
    }
    XCTAssertFalse(matches.isEmpty,
                   "no message at \(fileName):\(expectedLine) field \(field ?? "-") containing \(fragments) in:\n\(text)",
                   file: file, line: line)
    XCTAssertTrue(text.contains("\(fileName):\(expectedLine): "), file: file, line: line)
}
