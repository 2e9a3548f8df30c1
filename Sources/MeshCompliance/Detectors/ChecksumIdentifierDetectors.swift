/// National Provider Identifier (Safe Harbor (R)): 10 digits starting with 1 or 2 whose
/// Luhn check over the `80840` prefix + the 10 digits holds; all-identical bodies are skipped.
public struct NPIDetector: TextDetector {
    /// Every match has digits.
    public var requiredBytes: [ByteSet] { [.digits] }

    public init() {}

    /// Luhn validity of an NPI given as 10 digit values.
    public static func isValid(_ d: [Int]) -> Bool {
        guard d.count == 10, d[0] == 1 || d[0] == 2 else { return false }
        if d[1...8].allSatisfy({ $0 == d[1] }) && d[9] == d[1] { return false }
        // Luhn over 80840 + first 9 digits; doubling starts at the rightmost payload digit.
        var sum = 24  // Luhn contribution of the 80840 prefix: 8 + (0·2) + 8 + (4·2) + 0 = 24
        for (k, v) in d[0..<9].reversed().enumerated() {
            if k % 2 == 0 {
                let x = v * 2
                sum += x > 9 ? x - 9 : x
            } else {
                sum += v
            }
        }
        let check = (10 - sum % 10) % 10
        return check == d[9]
    }

    public func scan(_ t: ScanText, into out: inout [DetectorMatch]) {
        let b = t.bytes
        // An NPI is a whole word: only word starts with a digit are candidates.
        for i in t.digitStarts {
            let r = t.digitRun(i)
            if r == 10, t.boundaryAfter(i + 10), i == 0 || b[i - 1] != 0x2D && b[i - 1] != 0x2E,
               !((t.at(i + 10) == 0x2D || t.at(i + 10) == 0x2E) && ASCII.isDigit(t.at(i + 11))) {
                let digits = b[i..<(i + 10)].map { Int($0 - 0x30) }
                if Self.isValid(digits) {
                    out.append(DetectorMatch(start: i, end: i + 10, kind: "NPI", masked: Mask.keepingLast(t.string(i, i + 10), 2)))
                }
            }
        }
    }
}

/// DEA registration numbers (Safe Harbor (K)): registrant-type letter
/// (`ABCDEFGHJKLMPRSTUX`), a letter or `9`, then 7 digits where
/// `(d1+d3+d5) + 2·(d2+d4+d6)` ends in `d7`. Uppercase only.
public struct DEADetector: TextDetector {
    /// A registrant letter and seven digits.
    public var requiredBytes: [ByteSet] { Self.required }
    private static let required = [ByteSet("ABCDEFGHJKLMPRSTUX"), .digits]

    static let firstLetters: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for c in "ABCDEFGHJKLMPRSTUX".utf8 { table[Int(c)] = true }
        return table
    }()

    public init() {}

    /// Checksum rule over the 7 digits.
    public static func checksumOK(_ d: [Int]) -> Bool {
        guard d.count == 7 else { return false }
        let sum = d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])
        return sum % 10 == d[6]
    }

    public func scan(_ t: ScanText, into out: inout [DetectorMatch]) {
        let b = t.bytes
        let n = b.count
        let firstLetters = Self.firstLetters  // hoisted: static access in a loop costs a once-check
        // A number is a whole word: only word starts are candidates.
        for i in t.wordStarts {
            if i + 9 > n { break }
            guard firstLetters[Int(b[i])] else { continue }
            let second = b[i + 1]
            guard ASCII.isUpper(second) || second == 0x39, t.digitRun(i + 2) == 7, t.boundaryAfter(i + 9) else { continue }
            let d = b[(i + 2)..<(i + 9)].map { Int($0 - 0x30) }
            if Self.checksumOK(d) {
                out.append(DetectorMatch(start: i, end: i + 9, kind: "DEA number", masked: Mask.keepingLast(t.string(i, i + 9), 2)))
            }
        }
    }
}

/// Vehicle identification numbers (Safe Harbor (L)): 17 characters from `A–Z` without
/// `I`, `O`, `Q` and digits, containing both letters and digits, with a valid ISO 3779 /
/// NHTSA check digit in position 9.
public struct VINDetector: TextDetector {
    /// A valid VIN has letters and digits.
    public var requiredBytes: [ByteSet] { [.digits] }

    public init() {}

    static let weights = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]

    @inline(__always) static func value(_ c: UInt8) -> Int? {
        if ASCII.isDigit(c) { return Int(c - 0x30) }
        switch c {
        case 0x41, 0x4A: return 1  // A J
        case 0x42, 0x4B, 0x53: return 2  // B K S
        case 0x43, 0x4C, 0x54: return 3  // C L T
        case 0x44, 0x4D, 0x55: return 4  // D M U
        case 0x45, 0x4E, 0x56: return 5  // E N V
        case 0x46, 0x57: return 6  // F W
        case 0x47, 0x50, 0x58: return 7  // G P X
        case 0x48, 0x59: return 8  // H Y
        case 0x52, 0x5A: return 9  // R Z
        default: return nil  // I O Q and anything else
        }
    }

    /// Validates a 17-character VIN.
    public static func isValid(_ v: [UInt8]) -> Bool {
        guard v.count == 17 else { return false }
        var sum = 0
        var letters = 0, digits = 0
        for (k, c) in v.enumerated() {
            guard let x = value(c) else { return false }
            if ASCII.isDigit(c) { digits += 1 } else { letters += 1 }
            sum += x * weights[k]
        }
        guard letters > 0, digits > 0 else { return false }
        let r = sum % 11
        let expected: UInt8 = r == 10 ? 0x58 : UInt8(0x30 + r)
        return v[8] == expected
    }

    public func scan(_ t: ScanText, into out: inout [DetectorMatch]) {
        let b = t.bytes
        let n = b.count
        // A VIN is a whole word: only word starts are candidates.
        for i in t.wordStarts where ASCII.isAlnum(b[i]) {
            // Most words are shorter than 17: the byte that would end one decides in one look.
            guard i + 17 <= n, ASCII.isAlnum(b[i + 16]), t.boundaryAfter(i + 17) else { continue }
            var e = i
            while e < n && ASCII.isAlnum(b[e]) { e += 1 }
            if e - i == 17, t.boundaryAfter(e), Self.isValid(Array(b[i..<e])) {
                out.append(DetectorMatch(start: i, end: e, kind: "VIN", masked: Mask.keepingLast(t.string(i, e), 3)))
            }
        }
    }
}
