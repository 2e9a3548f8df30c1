/// A match produced by a text detector, as a byte range into the scanned text.
public struct DetectorMatch: Sendable, Equatable {
    /// Start byte offset (inclusive).
    public var start: Int
    /// End byte offset (exclusive).
    public var end: Int
    /// What was found, e.g. `SSN`, `AWS access key id`.
    public var kind: String
    /// Masked rendering of the value, safe to store and display.
    public var masked: String
    /// The identifier class, when the detector knows it better than its rule (a structured
    /// field detector reporting several classes); `nil` leaves it to the rule's detector.
    public var identifierClass: IdentifierClass?

    public init(start: Int, end: Int, kind: String, masked: String, identifierClass: IdentifierClass? = nil) {
        self.start = start
        self.end = end
        self.kind = kind
        self.masked = masked
        self.identifierClass = identifierClass
    }
}

/// A pure scanner: bytes in, matches (byte ranges) out, in ascending offset order.
public protocol TextDetector: Sendable {
    /// Appends every match in `text` to `matches`.
    func scan(_ text: ScanText, into matches: inout [DetectorMatch])

    /// Bytes every match needs: each set must share a byte with the scanned text, or `scan`
    /// cannot find anything and is not run. Must be a necessary condition, never a guess.
    /// Empty (the default) means: always scan.
    var requiredBytes: [ByteSet] { get }

    /// The class of what the detector finds (`nil`: not an identifier class, e.g. a
    /// record-keeping check). Exclusions are chosen by it.
    var identifierClass: IdentifierClass? { get }
}

extension TextDetector {
    public var requiredBytes: [ByteSet] { [] }
    public var identifierClass: IdentifierClass? { nil }

    /// Whether a text whose bytes are `present` can hold a match.
    @inline(__always) func canMatch(_ present: ByteSet) -> Bool {
        for required in requiredBytes where !required.intersects(present) { return false }
        return true
    }

    /// Convenience wrapper returning the matches of a string.
    public func matches(in string: String) -> [DetectorMatch] {
        var out: [DetectorMatch] = []
        scan(ScanText(string), into: &out)
        return out
    }
}

/// A problem found on the record itself (signatures, attributes, approvals).
public struct RecordIssue: Sendable, Equatable {
    /// Record path such as `signatures[0].meaning` or `attributes.requirement_ids`.
    public var location: String
    /// Message (must not contain sensitive values).
    public var message: String

    public init(location: String, message: String) {
        self.location = location
        self.message = message
    }
}

/// A pure check over the subject's record fields rather than its artifact text.
public protocol RecordDetector: Sendable {
    /// Returns the issues found on `subject`, in a deterministic order.
    func check(_ subject: ComplianceSubject) -> [RecordIssue]
}

/// A configured detector instance.
public enum ConfiguredDetector: Sendable {
    case text(any TextDetector)
    case record(any RecordDetector)
}

/// A text detector held by reference with its required bytes read once.
///
/// Scanning through a stored `any TextDetector` value copies the existential (its box
/// retained and released, through runtime value witnesses) on every call, even from a
/// class's `let`; the evaluator makes a call per rule and artifact. The box therefore keeps
/// a closure over the opened, concrete detector, whose call copies nothing.
final class TextDetectorBox: Sendable {
    /// `detector.requiredBytes` (many detectors build that array on every read).
    let requiredBytes: [ByteSet]
    private let scanner: @Sendable (ScanText, inout [DetectorMatch]) -> Void

    init(_ detector: any TextDetector) {
        self.requiredBytes = detector.requiredBytes
        self.scanner = Self.scanner(of: detector)
    }

    private static func scanner<D: TextDetector>(of detector: D) -> @Sendable (ScanText, inout [DetectorMatch]) -> Void {
        { text, matches in detector.scan(text, into: &matches) }
    }

    /// Whether a text whose bytes are `present` can hold a match.
    @inline(__always) func canMatch(_ present: ByteSet) -> Bool {
        for required in requiredBytes where !required.intersects(present) { return false }
        return true
    }

    @inline(__always) func scan(_ text: ScanText, into matches: inout [DetectorMatch]) {
        scanner(text, &matches)
    }
}
