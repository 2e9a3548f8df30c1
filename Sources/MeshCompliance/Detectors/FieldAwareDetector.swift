/// A detector for one identifier class that reads both the text and the artifact's structure.
///
/// The pattern detector (`inner`, optional) finds what the value alone gives away
/// (`287-65-4321`); the structure adds what only the label gives away (`"mrn": 88123456`,
/// `PID-19`, a FHIR `identifier` with the SSN system, a CSV column `member_id`). A pattern
/// match inside a field whose label says it is something harmless of the same shape (a date
/// under `created_at`) is dropped, and where both find the same value it is reported once.
public struct FieldAwareDetector: TextDetector {
    public let identifierClass: IdentifierClass?
    /// Labelled fields of this class are findings (`nil`: the text pattern alone decides).
    let fieldClass: IdentifierClass?
    /// Boxed: scanning through an `any TextDetector` value copied it on every call.
    let inner: TextDetectorBox?
    /// Kind printed in findings from labelled fields.
    let kind: String

    public init(_ cls: IdentifierClass, inner: (any TextDetector)?, readsFields: Bool = true, kind: String? = nil) {
        self.identifierClass = cls
        self.fieldClass = readsFields ? cls : nil
        self.inner = inner.map(TextDetectorBox.init)
        self.kind = kind ?? FieldAwareDetector.kinds[cls] ?? cls.rawValue
        self.requiredBytes = readsFields ? [] : inner?.requiredBytes ?? []
    }

    static let kinds: [IdentifierClass: String] = [
        .name: "name", .streetAddress: "street address", .city: "city", .zip: "ZIP code", .date: "date", .age: "age over 89",
        .phone: "phone number", .fax: "fax number", .email: "e-mail address", .ssn: "SSN", .mrn: "medical record number",
        .healthPlan: "health plan beneficiary number", .account: "account number", .license: "certificate or license number",
        .vehicle: "vehicle identifier", .device: "device serial number", .otherIdentifier: "unique identifying number",
    ]

    /// Fields are read whatever bytes the text has; without fields, the inner detector's needs
    /// (stored: the evaluator asks per rule and artifact).
    public let requiredBytes: [ByteSet]

    public func scan(_ t: ScanText, into out: inout [DetectorMatch]) {
        let base = out.count
        if let inner, inner.canMatch(t.present) { inner.scan(t, into: &out) }
        guard !t.structure.fields.isEmpty else { return }
        if identifierClass == .date && out.count > base {
            // A date pattern under a system label (`created_at`, MSH-7) is not about a person.
            var k = base
            while k < out.count {
                if t.structure.field(containing: out[k].start, out[k].end)?.meaning == .systemDate { out.remove(at: k) } else { k += 1 }
            }
        }
        guard let cls = fieldClass else { return }
        let patternEnd = out.count
        for k in t.structure.fieldIndices(for: cls) {
            let f = t.structure.fields[k]
            let ambiguous = f.meaning == .ambiguousName && !FieldValue.personWordBefore(t, f.start)
            // A bare `name` is a person's when its value says so (a Census first name) or
            // when a person word (`patient`, `member`, …) leads up to it.
            guard let (s, e) = FieldValue.span(cls, t, f.start, f.end, ambiguous: ambiguous) else { continue }
            if out[base..<patternEnd].contains(where: { $0.start < e && s < $0.end }) { continue }
            let v = t.string(s, e)
            out.append(DetectorMatch(start: s, end: e, kind: kind, masked: Self.mask(cls, v), identifierClass: cls))
        }
        if out.count > patternEnd && patternEnd > base {
            out[base...].sort { $0.start < $1.start }
        }
    }

    static func mask(_ cls: IdentifierClass, _ v: String) -> String {
        switch cls {
        case .name, .streetAddress, .city, .date: return Mask.all(v)
        case .age: return "age ≥90"
        case .email: return Mask.email(v)
        case .zip: return Mask.keepingLast(v, 0)
        default: return Mask.keepingLast(v, 2)
        }
    }
}

