/// A synthetic, deterministic evaluation set for the compliance detectors: documents of many
/// kinds (code, config, SQL, logs, markdown, clinical notes, FHIR, HL7 v2, CSV), some holding
/// planted identifiers and secrets with labelled character spans, all holding hard negatives
/// (reserved domains, private IPs, standard system URIs, published test identifiers, 555-01xx
/// numbers, the organisation's own address and workforce e-mails, placeholder and sample
/// credentials, system dates).
///
/// Independence from the detectors: the generators draw people from the held-out split of the
/// Census names (`HeldOutNames`, never in the detectors' dictionaries), use their own lists of
/// streets, cities, templates and phrasing, and never read a detector's table or a policy pack.
/// No value belongs to a real person: names are random pairs, numbers random.
public struct EvaluationDocument: Sendable {
    public var name: String
    public var mediaType: String
    public var content: String
    /// Planted identifiers, by character offsets. Empty for a clean document.
    public var labels: [LabelledSpan]
    /// Which generator wrote it.
    public var generator: String

    public var isPositive: Bool { !labels.isEmpty }
}

/// One planted identifier: its class (`name`, `ssn`, `mrn`, `dob`, `date`, `phone`, `fax`,
/// `email`, `street_address`, `city`, `zip`, `health_plan`, `account`, `license`, `secret`)
/// and character (Unicode scalar) offsets `[start, end)`.
public struct LabelledSpan: Sendable, Equatable {
    public var label: String
    public var start: Int
    public var end: Int
}

/// SplitMix64: small, fast, and the same sequence on every platform.
public struct EvaluationRandom: Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.upperBound - range.lowerBound + 1))
    }

    public mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    public mutating func chance(_ percent: Int) -> Bool { int(1...100) <= percent }

    public mutating func digits(_ count: Int) -> String {
        String((0..<count).map { _ in Character(String(int(0...9))) })
    }
}

/// Text with labelled spans, built piece by piece so offsets are exact.
struct DocumentBuilder {
    private(set) var text = ""
    private(set) var labels: [LabelledSpan] = []
    private var count = 0

    mutating func add(_ s: String) {
        text += s
        count += s.unicodeScalars.count
    }

    mutating func add(_ s: String, _ label: String) {
        let start = count
        add(s)
        labels.append(LabelledSpan(label: label, start: start, end: count))
    }

    /// `+=`-style helper for lines.
    mutating func line(_ s: String = "") { add(s + "\n") }

    func document(_ name: String, _ mediaType: String, generator: String) -> EvaluationDocument {
        EvaluationDocument(name: name, mediaType: mediaType, content: text, labels: labels, generator: generator)
    }
}

extension EvaluationDocument {
    /// The whole set: every generator, `perGenerator` documents each (half with planted
    /// identifiers), from `seed`.
    public static func syntheticSet(seed: UInt64 = 0x0A6E_17E5, perGenerator: Int = 40) -> [EvaluationDocument] {
        var out: [EvaluationDocument] = []
        for (g, generator) in (Generators.all + Generators.later).enumerated() {
            var rng = EvaluationRandom(seed: seed &+ UInt64(g) &* 0x1000_0001)
            for k in 0..<perGenerator {
                out.append(generator.make(&rng, k, k % 2 == 0))
            }
        }
        return out
    }
}
