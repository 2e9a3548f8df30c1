import MeshWire

/// The example handler's demo shapes, named after the shipped agent roles whose work each
/// imitates. Any other catalog role gets a markdown note, so a new role needs nothing here.
enum ExampleShape: String, CaseIterable {
    case coding, testing, security, documentation, ux, discovery
}

/// The artifact shapes of the example handlers, one function per shape.
enum ExampleArtifacts {
    static func make(role: String, draft: ExampleDraft) -> [Artifact] {
        switch ExampleShape(rawValue: role) {
        case .coding: coding(draft)
        case .testing: testing(draft)
        case .security: [markdown("security/\(draft.slug)-threat-model.md", title: "Threat model", draft, sections: [
            ("Assets", ["- patient records handled by \(draft.typeName)", "- audit trail entries"]),
            ("Threats (STRIDE)", ["- Spoofing: unsigned requests are rejected", "- Information disclosure: identifiers are masked in logs",
                                  "- Repudiation: every change is written to the audit trail"]),
            ("Mitigations", ["- least-privilege service account", "- input validation at the boundary"]),
        ])]
        case .documentation: [markdown("docs/\(draft.slug).md", title: draft.typeName, draft, sections: [
            ("Overview", ["\(draft.subject)."]),
            ("Usage", ["```swift", "let value = try \(draft.typeName)().run(\"\(draft.slug)\")", "```"]),
        ])]
        case .ux: [markdown("ux/\(draft.slug)-flow.md", title: "User flow", draft, sections: [
            ("Steps", ["1. The clinician opens \(draft.typeName).", "2. The form validates each field as it is filled.",
                       "3. A confirmation screen summarises the change before it is saved."]),
            ("Accessibility", ["- every control has a label", "- contrast ratio at least 4.5:1"]),
        ])]
        case .discovery: [markdown("discovery/\(draft.slug)-brief.md", title: "Discovery brief", draft, sections: [
            ("Problem", ["\(draft.subject)."]),
            ("Open questions", ["- Which user groups need this first?", "- Which regulations apply to the data involved?"]),
        ])]
        case nil: [markdown("notes/\(role)-\(draft.slug).md", title: "Notes", draft, sections: [])]
        }
    }

    private static func coding(_ draft: ExampleDraft) -> [Artifact] {
        let type = draft.typeName
        let source = """
            // \(type).swift: \(draft.subject)
            // Sample data: \(draft.sampleRecord)

            /// \(draft.subject).
            public struct \(type) {
                public init() {}

                /// Normalises `input` for storage.
                public func run(_ input: String) -> String {
                    input.trimmingCharacters(in: .whitespaces).lowercased()
                }
            }

            """
        var artifacts = [Artifact(name: "Sources/\(type)/\(type).swift", mediaType: "text/x-swift", content: Array(source.utf8))]
        if !draft.markers.noTests {
            let tests = """
                import XCTest
                @testable import \(type)

                final class \(type)Tests: XCTestCase {
                    func testRunNormalisesInput() {
                        XCTAssertEqual(\(type)().run("  Mixed Case "), "mixed case")
                    }
                }

                """
            artifacts.append(Artifact(name: "Tests/\(type)Tests/\(type)Tests.swift", mediaType: "text/x-swift", content: Array(tests.utf8)))
        }
        return artifacts
    }

    private static func testing(_ draft: ExampleDraft) -> [Artifact] {
        let type = draft.typeName
        let tests = """
            import XCTest

            /// Acceptance tests for: \(draft.subject).
            /// Fixture: \(draft.sampleRecord)
            final class \(type)AcceptanceTests: XCTestCase {
                func testHappyPath() { XCTAssertTrue(true) }
                func testRejectsEmptyInput() { XCTAssertFalse("".isEmpty == false) }
            }

            """
        return [
            Artifact(name: "Tests/\(type)AcceptanceTests/\(type)AcceptanceTests.swift", mediaType: "text/x-swift",
                     content: Array(tests.utf8)),
            markdown("docs/test-plan-\(draft.slug).md", title: "Test plan", draft, includeSample: false, sections: [
                ("Cases", ["1. happy path", "2. empty input is rejected", "3. audit entry is written"]),
            ]),
        ]
    }

    private static func markdown(_ name: String, title: String, _ draft: ExampleDraft, includeSample: Bool = true,
                                 sections: [(String, [String])]) -> Artifact {
        var lines = ["# \(title): \(draft.subject)", "", "Attempt \(draft.task.attempt) of task `\(draft.task.taskID)`.", ""]
        if includeSample { lines += ["Example record: \(draft.sampleRecord)", ""] }
        for (heading, body) in sections { lines += ["## \(heading)", ""] + body + [""] }
        lines += ["## Inputs", ""] + draft.inputLines + [""]
        if !draft.feedbackLines.isEmpty { lines += ["## Review feedback", ""] + draft.feedbackLines + [""] }
        return Artifact(name: name, mediaType: "text/markdown", content: Array(lines.joined(separator: "\n").utf8))
    }
}
