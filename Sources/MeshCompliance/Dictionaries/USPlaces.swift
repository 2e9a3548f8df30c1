/// US cities by state and every US ZIP code, from the `zipcodes` 3.0.0 table (MIT licence;
/// see `Data/places/README.md`), for the city and ZIP code detectors (Safe Harbor (B)).
public enum USPlaces {
    /// City names of each state, by ``stateKey(_:_:)``.
    static let citiesByState: [UInt16: NameSet] = {
        var byState: [UInt16: NameSet] = [:]
        for line in cityData.split(separator: "\n") {
            let u = Array(line.utf8)
            guard u.count > 3, u[2] == 0x09 else { continue }
            byState[stateKey(u[0], u[1])] = NameSet(words: line.dropFirst(3).split(separator: "|"))
        }
        return byState
    }()

    /// Every city name of every state.
    static let allCities = NameSet(words: cityData.split(separator: "\n").flatMap { $0.dropFirst(3).split(separator: "|") })

    /// One bit per five-digit code: set when the code is in the table.
    static let zipCodes: [UInt64] = {
        var bits = [UInt64](repeating: 0, count: 100_000 / 64 + 1)
        for run in zipCodeData.split(whereSeparator: { $0 == "," || $0 == "\n" }) {
            let ends = run.split(separator: "-").compactMap { Int($0) }
            guard let first = ends.first, let last = ends.last, first <= last, last < 100_000 else { continue }
            for code in first...last { bits[code >> 6] |= 1 << UInt64(code & 63) }
        }
        return bits
    }()

    /// Three-digit ZIP prefixes whose area held 20,000 people or fewer (HHS guidance on the
    /// Safe Harbor method, 2000 Census): a prefix alone is PHI only when it is one of these.
    public static let restrictedZIP3: Set<Int> = [36, 59, 63, 102, 203, 556, 692, 790, 821, 823, 830, 831, 878, 879, 884, 890, 893]

    @inline(__always) static func stateKey(_ a: UInt8, _ b: UInt8) -> UInt16 { UInt16(a) << 8 | UInt16(b) }

    /// Whether the five-digit `code` is a US ZIP code.
    public static func isZIPCode(_ code: Int) -> Bool {
        code >= 0 && code < 100_000 && zipCodes[code >> 6] & (1 << UInt64(code & 63)) != 0
    }

    /// Whether `bytes[start..<end]` names a city of the state `a b` (uppercase two-letter code),
    /// or of any state when no state is given.
    public static func isCity(_ bytes: [UInt8], _ start: Int, _ end: Int, state: (UInt8, UInt8)? = nil) -> Bool {
        guard let state else { return allCities.contains(bytes, start, end) }
        return citiesByState[stateKey(state.0, state.1)]?.contains(bytes, start, end) ?? false
    }
}
