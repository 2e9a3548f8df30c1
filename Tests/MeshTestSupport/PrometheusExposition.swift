/// A strict reader of the Prometheus text exposition format (0.0.4) for tests: every line is
/// a comment, `# HELP`/`# TYPE`, or a sample `name{label="value",…} number`, with label values
/// unescaped (`\\`, `\"`, `\n`). Anything else throws, naming the line, so a page a
/// Prometheus server would refuse fails the test.
public struct PrometheusExposition: Sendable {
    public struct Sample: Sendable, Equatable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    public struct ParseError: Error, CustomStringConvertible {
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    public private(set) var samples: [Sample] = []
    /// Metric family name → type (`counter`, `gauge`, `histogram`, …).
    public private(set) var types: [String: String] = [:]

    public init(parsing page: String) throws {
        for (index, line) in page.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                let parts = line.split(separator: " ", maxSplits: 3)
                if parts.count >= 3, parts[1] == "TYPE" {
                    guard parts.count == 4, Self.isName(parts[2]),
                          ["counter", "gauge", "histogram", "summary", "untyped"].contains(String(parts[3])) else {
                        throw ParseError(line: number, reason: "bad TYPE line: \(line)")
                    }
                    guard types[String(parts[2])] == nil else { throw ParseError(line: number, reason: "second TYPE for \(parts[2])") }
                    types[String(parts[2])] = String(parts[3])
                } else if parts.count >= 3, parts[1] == "HELP", !Self.isName(parts[2]) {
                    throw ParseError(line: number, reason: "bad HELP line: \(line)")
                }
                continue
            }
            samples.append(try Self.sample(Substring(line), line: number))
        }
    }

    /// Samples named `name` whose labels include every one of `labels`.
    public func values(_ name: String, _ labels: [String: String] = [:]) -> [Double] {
        samples.filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }.map(\.value)
    }

    /// The one sample matching, or nil (none, or several).
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        let found = values(name, labels)
        return found.count == 1 ? found[0] : nil
    }

    private static func isName(_ text: Substring) -> Bool {
        guard let first = text.first, first.isLetter || first == "_" || first == ":" else { return false }
        return text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
    }

    private static func sample(_ line: Substring, line number: Int) throws -> Sample {
        var rest = line[...]
        let nameEnd = rest.firstIndex { $0 == "{" || $0 == " " } ?? rest.endIndex
        let name = rest[..<nameEnd]
        guard isName(name) else { throw ParseError(line: number, reason: "bad metric name in: \(line)") }
        rest = rest[nameEnd...]
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                guard let equals = rest.firstIndex(of: "=") else { throw ParseError(line: number, reason: "label without '=' in: \(line)") }
                let key = rest[..<equals]
                guard isName(key), !key.contains(":") else { throw ParseError(line: number, reason: "bad label name '\(key)' in: \(line)") }
                rest = rest[rest.index(after: equals)...]
                guard rest.first == "\"" else { throw ParseError(line: number, reason: "unquoted label value in: \(line)") }
                rest = rest.dropFirst()
                var value = ""
                var closed = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if character == "\"" { closed = true; break }
                    if character == "\\" {
                        guard let escaped = rest.first else { break }
                        rest = rest.dropFirst()
                        switch escaped {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw ParseError(line: number, reason: "bad escape \\\(escaped) in: \(line)")
                        }
                    } else {
                        value.append(character)
                    }
                }
                guard closed else { throw ParseError(line: number, reason: "unterminated label value in: \(line)") }
                guard labels.updateValue(value, forKey: String(key)) == nil else {
                    throw ParseError(line: number, reason: "label \(key) twice in: \(line)")
                }
                if rest.first == "," { rest = rest.dropFirst() } else if rest.first != "}" {
                    throw ParseError(line: number, reason: "expected ',' or '}' in: \(line)")
                }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw ParseError(line: number, reason: "no value in: \(line)") }
        let fields = rest.dropFirst().split(separator: " ")
        guard (1...2).contains(fields.count), let value = Self.number(fields[0]) else {
            throw ParseError(line: number, reason: "bad value in: \(line)")
        }
        return Sample(name: String(name), labels: labels, value: value)
    }

    private static func number(_ text: Substring) -> Double? {
        switch text {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(text)
        }
    }
}
