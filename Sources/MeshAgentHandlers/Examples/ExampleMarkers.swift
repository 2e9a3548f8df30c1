/// Steering markers for the example handlers, written anywhere in the task instructions as
/// `[example:NAME]` or `[example:NAME=VALUE]`. They exist so demos and tests can make the
/// examples misbehave on purpose; real handlers ignore them.
///
/// | marker | effect |
/// |---|---|
/// | `[example:phi-on-first-attempt]` | attempt 1 embeds a fake patient SSN (`ExampleMarkers.fakeSSN`) in the first artifact; later attempts replace it with a synthetic placeholder |
/// | `[example:fail]` | every attempt fails |
/// | `[example:fail-on-first-attempt]` | attempt 1 fails, later attempts complete |
/// | `[example:sleep=2s]` | waits before answering (`ms` or `s`; at most 10 minutes) |
/// | `[example:reject-marker]` | adds the forbidden marker `DO NOT MERGE` to the first artifact |
/// | `[example:no-tests]` | the coding example leaves out its test file |
/// | `[example:requirements=SRS-101,SRS-102]` | the result names these software requirements (attribute `requirement_ids`, IEC 62304 traceability) |
///
/// Unknown marker names fail the task, so a typo does not silently change a demo.
public struct ExampleMarkers: Sendable, Hashable {
    /// SSN-shaped value that passes the SSA validity rules (area not 000/666/9xx, group and
    /// serial not zero, not a published sample), so a compliance scanner flags it. Fake.
    public static let fakeSSN = "512-38-7046"
    /// Text inserted by `[example:reject-marker]`.
    public static let forbiddenMarker = "DO NOT MERGE"

    public var phiOnFirstAttempt = false
    public var fail = false
    public var failOnFirstAttempt = false
    public var sleep: Duration?
    public var rejectMarker = false
    public var noTests = false
    /// Requirement ids the result claims to implement (`requirement_ids` attribute).
    public var requirementIDs: String?
    /// Instructions with the markers removed and whitespace collapsed.
    public var plainInstructions = ""

    /// Parses the markers out of `instructions`.
    /// - Throws: `ExampleMarkerError` for unknown names or bad values.
    public init(parsing instructions: String) throws {
        var rest = instructions[...]
        var plain = ""
        while let open = rest.range(of: "[example:") {
            plain += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "]") else {
                throw ExampleMarkerError(marker: String(rest[open.lowerBound...]), problem: "missing ']'")
            }
            try apply(String(rest[open.upperBound..<close]))
            rest = rest[rest.index(after: close)...]
        }
        plain += rest
        plainInstructions = plain.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    private mutating func apply(_ body: String) throws {
        let parts = body.split(separator: "=", maxSplits: 1).map(String.init)
        let name = parts.first ?? ""
        let value = parts.count > 1 ? parts[1] : nil
        switch (name, value) {
        case ("phi-on-first-attempt", nil): phiOnFirstAttempt = true
        case ("fail", nil): fail = true
        case ("fail-on-first-attempt", nil): failOnFirstAttempt = true
        case ("reject-marker", nil): rejectMarker = true
        case ("no-tests", nil): noTests = true
        case ("requirements", let ids?) where !ids.isEmpty: requirementIDs = ids
        case ("sleep", let text?):
            guard let duration = Self.duration(text) else {
                throw ExampleMarkerError(marker: "[example:\(body)]", problem: "expected a duration like 2s or 500ms, at most 10 minutes")
            }
            sleep = duration
        default:
            throw ExampleMarkerError(marker: "[example:\(body)]",
                                     problem: "unknown marker; known: phi-on-first-attempt, fail, fail-on-first-attempt, sleep=<2s|500ms>, reject-marker, no-tests, "
                                         + "requirements=<ids>")
        }
    }

    private static func duration(_ text: String) -> Duration? {
        let (digits, unit): (Substring, Int64) = text.hasSuffix("ms") ? (text.dropLast(2), 1) : text.hasSuffix("s") ? (text.dropLast(), 1000) : ("", 0)
        guard let amount = Int64(digits), amount >= 0, amount * unit <= 600_000 else { return nil }
        return .milliseconds(amount * unit)
    }
}

/// A marker the example handlers do not understand.
public struct ExampleMarkerError: Error, Hashable, CustomStringConvertible {
    public var marker: String
    public var problem: String

    public var description: String { "example marker \(marker): \(problem)" }
}
