import Foundation

/// The shape of an artifact, found before any pattern runs: which format it is in and which
/// value sits under which key, column or HL7 field.
///
/// Detectors use it two ways: a value under an identifying label (`"mrn": 88123456`,
/// `PID-19`, a `postalCode`) is a finding even when the value alone would not be, and every
/// finding inside a known field is reported with that field's path (`$.patient.mrn`,
/// `PID-5.1`, `$[3].ssn`).
///
/// Parsing never fails: a truncated or garbled HL7 message, JSON document or CSV file yields
/// the fields read before the damage, a ``StructureError`` saying where, and the generic
/// key/value reading of the text, so the artifact is still scanned as text.
public struct DocumentStructure: Sendable {
    public enum Format: String, Sendable, Codable {
        case json, fhir, hl7v2 = "hl7v2", csv, sql, keyValue = "key_value"
    }

    /// The format the artifact was read as.
    public var format: Format
    /// Fields sorted by value start.
    public private(set) var fields: [StructuredField]
    /// Problems met while parsing (empty for a well-formed artifact).
    public var errors: [StructureError]
    /// Whether the artifact speaks about a person: an HL7 PID segment, a FHIR Patient, or a
    /// field labelled with a person identifier (name, MRN, SSN, birth date). Dates with no
    /// context of their own count as PHI only in such artifacts (see Policies/README.md).
    public var aboutPerson: Bool

    /// Indices into `fields` by ``IdentifierClass`` position, so each detector visits only
    /// its own fields (dates: person dates; names: also bare `name` labels).
    private var byClass: [[Int]]

    public init(format: Format, fields: [StructuredField], errors: [StructureError] = [], aboutPerson: Bool? = nil) {
        self.format = format
        self.fields = fields.sorted { $0.start < $1.start || ($0.start == $1.start && $0.end > $1.end) }
        var byClass = [[Int]](repeating: [], count: IdentifierClass.allCases.count)
        for (k, f) in self.fields.enumerated() {
            switch f.meaning {
            case .identifier(let c)?: byClass[c.position].append(k)
            case .personDate?: byClass[IdentifierClass.date.position].append(k)
            case .ambiguousName?: byClass[IdentifierClass.name.position].append(k)
            default: break
            }
        }
        self.byClass = byClass
        self.errors = errors
        self.aboutPerson = aboutPerson ?? fields.contains { f in
            switch f.meaning {
            case .identifier(let c)?: return [.name, .mrn, .ssn, .healthPlan].contains(c)
            case .personDate?: return true
            default: return false
            }
        }
    }

    /// Indices into `fields` of the fields whose label gives them class `cls` (for `.date`:
    /// person dates; for `.name`: also bare `name` labels, which the value must confirm).
    /// Indices rather than a lazy view of the fields: the view held a copy of the whole
    /// structure, retained and released per detector and artifact even when empty.
    func fieldIndices(for cls: IdentifierClass) -> [Int] { byClass[cls.position] }

    /// No structure known.
    public static let none = DocumentStructure(format: .keyValue, fields: [], aboutPerson: false)

    /// The innermost field whose value contains the byte range `[start, end)`.
    public func field(containing start: Int, _ end: Int) -> StructuredField? {
        // Fields are sorted by start; the last one starting at or before `start` is checked
        // first, and a few before it for enclosing spans (a YAML value holding a key=value).
        var lo = 0, hi = fields.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if fields[mid].start <= start { lo = mid + 1 } else { hi = mid }
        }
        var k = lo - 1
        var budget = 8
        while k >= 0 && budget > 0 {
            if fields[k].start <= start && fields[k].end >= end { return fields[k] }
            k -= 1
            budget -= 1
        }
        return nil
    }

    /// Reads the structure of an artifact. `name` and `mediaType` choose the parser; the
    /// content decides when they say nothing (a `.txt` holding an HL7 message).
    public static func parse(_ text: ScanText, name: String, mediaType: String) -> DocumentStructure {
        let lowerName = name.lowercased()
        let type = MediaTypeText(mediaType.lowercased())
        let b = text.bytes
        var first = 0
        if b.count >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF { first = 3 }
        while first < b.count && ASCII.isWhitespace(b[first]) { first += 1 }

        if type.has("hl7-v2") || type.has("x-hl7") || lowerName.hasSuffix(".hl7")
            || (first + 4 <= b.count && b[first] == 0x4D && b[first + 1] == 0x53 && b[first + 2] == 0x48 && !ASCII.isAlnum(b[first + 3])) {
            var result = HL7Parser.parse(text, from: first)
            if result.fields.isEmpty {
                // Not readable as HL7: read it as text so its labels still count.
                let kv = KeyValueScanner.scan(text)
                result = DocumentStructure(format: .hl7v2, fields: kv.fields, errors: result.errors + kv.errors)
            }
            return result
        }
        if type.has("json") || lowerName.hasSuffix(".json") || lowerName.hasSuffix(".ndjson")
            || (first < b.count && (b[first] == 0x7B || (b[first] == 0x5B && !lowerName.hasSuffix(".toml") && !lowerName.hasSuffix(".ini")))) {
            let json = JSONFieldParser.parse(text, from: first)
            if json.errors.isEmpty { return json }
            // Truncated or invalid JSON: keep what was read and add the key/value reading.
            let kv = KeyValueScanner.scan(text)
            return DocumentStructure(format: json.format, fields: merge(json.fields, kv.fields), errors: json.errors + kv.errors)
        }
        if type.has("csv") || type.has("tab-separated") || lowerName.hasSuffix(".csv") || lowerName.hasSuffix(".tsv") {
            let csv = DelimitedParser.parse(text, from: first, tab: lowerName.hasSuffix(".tsv") || type.has("tab-separated"))
            if !csv.errors.isEmpty {
                return DocumentStructure(format: .csv, fields: csv.fields, errors: csv.errors)
            }
            return csv
        }
        var kv = KeyValueScanner.scan(text, code: isSourceCode(lowerName, type.text))
        // SQL INSERT statements can sit in .sql files, migrations, code strings and notes.
        if text.present.contains(0x28) && (text.present.contains(0x49) || text.present.contains(0x69)) {
            let sql = SQLInsertParser.parse(text)
            if !sql.fields.isEmpty || !sql.errors.isEmpty {
                kv = DocumentStructure(format: sql.fields.isEmpty ? .keyValue : .sql, fields: merge(kv.fields, sql.fields),
                                       errors: kv.errors + sql.errors)
            }
        }
        return kv
    }

    /// Source files, whose labels only label literals (see ``KeyValueScanner``).
    static func isSourceCode(_ name: String, _ type: String) -> Bool {
        if type.hasPrefix("text/x-") && !["text/x-log", "text/x-env", "text/x-properties", "text/x-clinical-note"].contains(type) { return true }
        if MediaTypeText(type).has("javascript") || MediaTypeText(type).has("typescript") { return true }
        guard let dot = name.lastIndex(of: ".") else { return false }
        return sourceExtensions.contains(String(name[name.index(after: dot)...]))
    }

    static let sourceExtensions: Set<String> = ["swift", "py", "js", "ts", "java", "kt", "go", "rs", "c", "h", "cpp", "cs", "rb", "m", "scala", "php"]

    /// Union of two field lists; on equal spans the first list's field wins.
    static func merge(_ a: [StructuredField], _ b: [StructuredField]) -> [StructuredField] {
        if b.isEmpty { return a }
        var seen = Set<Int>()
        for f in a { seen.insert(f.start &* 1_000_003 &+ f.end) }
        return a + b.filter { !seen.contains($0.start &* 1_000_003 &+ $0.end) }
    }
}

/// A lowercase media type searched by bytes (Foundation's `contains` costs more than the
/// detectors on small artifacts).
struct MediaTypeText {
    let text: String
    private let bytes: [UInt8]

    init(_ text: String) {
        self.text = text
        self.bytes = Array(text.utf8)
    }

    func has(_ needle: StaticString) -> Bool {
        let n = UnsafeBufferPointer(start: needle.utf8Start, count: needle.utf8CodeUnitCount)
        guard bytes.count >= n.count else { return false }
        var i = 0
        while i + n.count <= bytes.count {
            if bytes[i] == n[0] && bytes[i..<(i + n.count)].elementsEqual(n) { return true }
            i += 1
        }
        return false
    }
}

/// One value with its label: where it is, what its key means, and its path.
public struct StructuredField: Sendable, Equatable {
    /// `$.patient.mrn`, `PID-5.1`, `$[3].ssn`, `patients[0].ssn`.
    public var path: String
    /// Byte offsets of the value (inside quotes when quoted).
    public var start: Int
    public var end: Int
    /// What the label says about the value; `nil` for a label that says nothing identifying.
    public var meaning: FieldMeaning?

    public init(path: String, start: Int, end: Int, meaning: FieldMeaning?) {
        self.path = path
        self.start = start
        self.end = end
        self.meaning = meaning
    }
}

/// A place where an artifact's structure could not be read, reported so an engineer can
/// see why a field was scanned only as text.
public struct StructureError: Error, Sendable, Equatable, CustomStringConvertible {
    public var format: DocumentStructure.Format
    /// 1-based line and column (bytes) of the problem.
    public var line: Int
    public var column: Int
    /// Field or segment being read, when known (`PID`, `$.entry[2]`, `row 4`).
    public var field: String?
    public var message: String

    public init(format: DocumentStructure.Format, line: Int, column: Int, field: String? = nil, message: String) {
        self.format = format
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    public var description: String {
        "\(format.rawValue) \(line):\(column)\(field.map { " \($0)" } ?? ""): \(message)"
    }

    /// Line and column of a byte offset.
    static func position(_ bytes: [UInt8], _ offset: Int) -> (Int, Int) {
        var line = 1, lineStart = 0
        var i = 0
        let end = min(offset, bytes.count)
        while i < end {
            if bytes[i] == 0x0A { line += 1; lineStart = i + 1 }
            i += 1
        }
        return (line, end - lineStart + 1)
    }
}

/// The process-wide cache of key meanings (keys repeat in every record and across a code
/// base's files, so the word-by-word classification runs once per distinct key), keyed by a 64-bit hash of the key's bytes (the bytes are kept
/// and compared, so a collision costs a classification, never a wrong answer). Bounded, so
/// hostile input with endless distinct keys costs classification time, not memory.
final class SharedLabelCache: @unchecked Sendable {
    static let shared = SharedLabelCache()
    static let capacity = 50_000

    private let lock = NSLock()
    private var cache: [UInt64: (key: [UInt8], meaning: FieldMeaning?)] = [:]

    func meaning(_ key: ArraySlice<UInt8>) -> FieldMeaning? {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        lock.lock()
        if let hit = cache[h], hit.key.elementsEqual(key) { lock.unlock(); return hit.meaning }
        lock.unlock()
        let m = FieldLabel.meaning(of: key)
        lock.lock()
        if cache.count < Self.capacity { cache[h] = (Array(key), m) }
        lock.unlock()
        return m
    }
}
