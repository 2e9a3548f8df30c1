// Reading human retention text (`7d`, `12h`, `forever`).

extension Retention {
    /// Units accepted after the number, with their length in milliseconds.
    static let units: [(suffix: String, milliseconds: Int64)] = [
        ("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000), ("w", 604_800_000),
    ]

    /// Parses `forever` or `<positive integer><unit>` with unit ms, s, m, h, d or w.
    /// Returns `nil` for anything else (including zero and overflow).
    public init?(parsing text: String) {
        let trimmed = text.trimmingSpaces
        if trimmed == "forever" {
            self.init(text: trimmed, milliseconds: nil)
            return
        }
        let digits = trimmed.prefix { $0.isASCII && $0.isNumber }
        let unit = trimmed.dropFirst(digits.count)
        guard !digits.isEmpty, let count = Int64(digits), count > 0,
              let scale = Retention.units.first(where: { $0.suffix == unit })?.milliseconds
        else { return nil }
        let (product, overflow) = count.multipliedReportingOverflow(by: scale)
        guard !overflow else { return nil }
        self.init(text: trimmed, milliseconds: product)
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}
