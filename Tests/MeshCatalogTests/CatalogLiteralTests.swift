// The catalog is the one source of role and topic names: no other module spells one out.

import Foundation
import XCTest
@testable import MeshCatalog

/// Scans every `.swift` file under `Sources/` outside `Sources/MeshCatalog` for string
/// literals that spell a role or topic name of `Topics/` (read from the catalog, so a new
/// role or topic is covered without touching this test).
///
/// The rule, and why it is this narrow:
/// - Only string literals count: comments (`//`, `///`, nested `/* */`) and identifiers are
///   skipped, so `case .compliance` or a doc comment naming `mesh.results` is fine.
/// - A literal counts when its whole text is exactly a role or topic name (`"reviewer"`,
///   `"mesh.plans"`). Names that are also ordinary words ("security", "compliance") appear
///   inside messages all the time; a message is never exactly the word, so whole-literal
///   equality finds the uses as a name and not the prose.
/// - Interpolation: a literal is split at each `\( … )`; its text before the first
///   interpolation counts when it ends in `.` and begins a topic name (`"mesh.tasks.\(role)"`
///   builds a topic name as surely as spelling it). Strings nested inside an interpolation
///   are literals of their own and are checked the same way.
/// - Multi-line (`"""`) and raw (`#"…"#`) literals are read as one literal each.
/// Use `MeshRoles`/`MeshTopics` (checked against the catalog by `MeshNamesTests`) or ask
/// the loaded catalog instead.
final class CatalogLiteralTests: XCTestCase {
    /// Literals that equal a role name but are ordinary words there, not the role: each is
    /// one file and one word, so the same word used as a role name elsewhere still fails.
    static let ordinaryWords: Set<String> = [
        // A street-name stop word of the address detector.
        "Sources/MeshCompliance/Detectors/AddressDetectors.swift: security",
        // The playbook's verdict kind `compliance` (a check, not the role).
        "Sources/MeshOrchestration/Playbook/PlaybookParser.swift: compliance",
        // The display name of the verdict kind `.compliance`.
        "Sources/meshctl/OpsObjectiveFollower.swift: compliance",
        // `meshctl bench compliance`, a command name.
        "Sources/meshctl/ComplianceBench.swift: compliance",
        // `meshctl bench console`, a command name.
        "Sources/meshctl/ConsoleBench.swift: console",
        // A console person role (`mesh-console users add --role approver`), not the catalog role.
        "Sources/meshctl/OpsConsole.swift: approver",
    ]

    func testNoRoleOrTopicNameLiteralOutsideTheCatalogModule() throws {
        let catalog = try CatalogLoader.load(directory: Fixtures.topicsDirectory)
        let finder = NameLiteralFinder(roles: catalog.roles.map(\.name), topics: catalog.topics.map(\.name))
        var found: [String] = []
        var exemptionUsed: Set<String> = []
        for file in try Self.sourceFiles() {
            let text = try String(contentsOf: Self.root.appendingPathComponent(file), encoding: .utf8)
            for hit in finder.hits(in: text) {
                let word = "\(file): \(hit.text)"
                if Self.ordinaryWords.contains(word) { exemptionUsed.insert(word); continue }
                found.append("\(file):\(hit.line): \"\(hit.text)\"")
            }
        }
        XCTAssertEqual(found, [], """
            role or topic names spelled out in Sources (use MeshRoles/MeshTopics or the loaded catalog):
            \(found.joined(separator: "\n"))
            """)
        let stale = Self.ordinaryWords.subtracting(exemptionUsed)
        XCTAssertEqual(stale, [], "exemptions no longer needed; remove them: \(stale.sorted())")
    }

    func testTheFinderSeesLiteralsOnly() {
        let finder = NameLiteralFinder(roles: ["reviewer", "audit-sink", "security"],
                                       topics: ["mesh.results", "mesh.tasks.coding"])
        let source = #"""
            // "reviewer" in a comment
            /* "mesh.results" /* nested */ "reviewer" */
            /// Sends to `mesh.results`.
            let reviewer = Role.reviewer
            let a = "reviewer"
            let b = "the reviewer said \("no")"
            let c = "security review"
            let d = "mesh.tasks.\(role)"
            let e = "\(x ? "audit-sink" : "other")"
            let f = #"mesh.results"#
            let g = """
                reviewer
                """
            let h = "say \"reviewer\""
            let i = "mesh.results.\(n)"
            """#
        let hits = finder.hits(in: source).map { "\($0.line):\($0.text)" }
        XCTAssertEqual(hits, ["5:reviewer", "8:mesh.tasks.", "9:audit-sink", "10:mesh.results", "11:reviewer"])
    }

    /// The repository root, found from this file's path.
    static var root: URL { Fixtures.topicsDirectory.deletingLastPathComponent() }

    /// Every `.swift` file under Sources/ except the catalog module, as repository paths.
    static func sourceFiles() throws -> [String] {
        let sources = root.appendingPathComponent("Sources")
        guard let walker = FileManager.default.enumerator(atPath: sources.path) else { return [] }
        return walker.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".swift") && !$0.hasPrefix("MeshCatalog/") }
            .map { "Sources/\($0)" }
            .sorted()
    }
}

/// Finds string literals naming a role or topic in Swift source text (see the rule above).
struct NameLiteralFinder {
    struct Hit: Equatable {
        var line: Int
        var text: String
    }

    let names: Set<String>
    let topics: [String]

    init(roles: [String], topics: [String]) {
        names = Set(roles + topics)
        self.topics = topics
    }

    func hits(in source: String) -> [Hit] {
        var lexer = Lexer(Array(source.unicodeScalars))
        return lexer.literals().compactMap { literal in
            if !literal.interpolated, names.contains(literal.head) { return Hit(line: literal.line, text: literal.head) }
            if literal.head.hasSuffix("."), topics.contains(where: { $0.hasPrefix(literal.head) }) {
                return Hit(line: literal.line, text: literal.head)
            }
            return nil
        }
    }

    /// One string literal: its text up to the first interpolation, and whether one follows.
    struct Literal {
        var line: Int
        var head: String
        var interpolated: Bool
    }

    /// Just enough of Swift's lexical grammar to tell literals from comments and code.
    struct Lexer {
        let text: [Unicode.Scalar]
        var index = 0
        var line = 1
        var found: [Literal] = []

        init(_ text: [Unicode.Scalar]) { self.text = text }

        mutating func literals() -> [Literal] {
            code(untilParen: false)
            return found.sorted { $0.line < $1.line }
        }

        private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
            index + offset < text.count ? text[index + offset] : nil
        }

        private mutating func advance() {
            if text[index] == "\n" { line += 1 }
            index += 1
        }

        private func starts(with string: String) -> Bool {
            var at = index
            for scalar in string.unicodeScalars {
                guard at < text.count, text[at] == scalar else { return false }
                at += 1
            }
            return true
        }

        /// Code: skips comments, reads literals; inside an interpolation, returns at its `)`.
        private mutating func code(untilParen: Bool) {
            var depth = 0
            while let scalar = peek() {
                if starts(with: "//") {
                    while let next = peek(), next != "\n" { advance() }
                } else if starts(with: "/*") {
                    blockComment()
                } else if scalar == "#" || scalar == "\"" {
                    var hashes = 0
                    while peek(hashes) == "#" { hashes += 1 }
                    if peek(hashes) == "\"" {
                        for _ in 0..<hashes { advance() }
                        string(hashes: hashes)
                    } else {
                        advance()
                    }
                } else if scalar == "(" {
                    depth += 1
                    advance()
                } else if scalar == ")" {
                    advance()
                    if untilParen {
                        if depth == 0 { return }
                        depth -= 1
                    }
                } else {
                    advance()
                }
            }
        }

        private mutating func blockComment() {
            var depth = 0
            repeat {
                if starts(with: "/*") {
                    depth += 1
                    advance(); advance()
                } else if starts(with: "*/") {
                    depth -= 1
                    advance(); advance()
                } else {
                    advance()
                }
            } while depth > 0 && index < text.count
        }

        /// A literal starting at its opening quote(s), after any `#`s.
        private mutating func string(hashes: Int) {
            let startLine = line
            let multiLine = starts(with: "\"\"\"")
            let quote = multiLine ? "\"\"\"" : "\""
            for _ in quote.unicodeScalars { advance() }
            let close = quote + String(repeating: "#", count: hashes)
            let escape = "\\" + String(repeating: "#", count: hashes)
            var head = ""
            var interpolated = false
            while index < text.count {
                if starts(with: close) {
                    for _ in close.unicodeScalars { advance() }
                    break
                }
                if starts(with: escape) {
                    for _ in escape.unicodeScalars { advance() }
                    if peek() == "(" {
                        advance()
                        interpolated = true
                        code(untilParen: true)
                    } else if let escaped = peek() {
                        if !interpolated { head.unicodeScalars.append(escaped) }
                        advance()
                    }
                    continue
                }
                if !interpolated, let scalar = peek() { head.unicodeScalars.append(scalar) }
                advance()
            }
            if multiLine {
                head = head.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty }.joined(separator: "\n")
            }
            found.append(Literal(line: startLine, head: head, interpolated: interpolated))
        }
    }
}
