/// Secrets with a recognisable fixed prefix followed by a body from a known alphabet:
/// AWS access key ids, GitHub tokens, Slack tokens, Google API keys.
///
/// The token must stand alone (no letter/digit/`_` on either side) and the body length must be
/// within `bodyLength`. Findings show only the public prefix and the length.
public struct PrefixedTokenDetector: TextDetector {
    /// Alphabet of the token body.
    public enum Alphabet: Sendable {
        /// `A–Z2–7` (AWS key ids are base32).
        case base32Upper
        /// `A–Za–z0–9`.
        case alnum
        /// `A–Za–z0–9_`.
        case word
        /// `A–Za–z0–9_-`.
        case urlSafe
        /// `A–Za–z0–9-`.
        case alnumDash

        @inline(__always) func contains(_ b: UInt8) -> Bool {
            switch self {
            case .base32Upper: return ASCII.isUpper(b) || (b >= 0x32 && b <= 0x37)
            case .alnum: return ASCII.isAlnum(b)
            case .word: return ASCII.isWord(b)
            case .urlSafe: return ASCII.isWord(b) || b == 0x2D
            case .alnumDash: return ASCII.isAlnum(b) || b == 0x2D
            }
        }
    }

    /// One token family.
    public struct Family: Sendable {
        public var prefixes: [String]
        public var alphabet: Alphabet
        public var bodyLength: ClosedRange<Int>
        public var kind: String

        public init(prefixes: [String], alphabet: Alphabet, bodyLength: ClosedRange<Int>, kind: String) {
            self.prefixes = prefixes
            self.alphabet = alphabet
            self.bodyLength = bodyLength
            self.kind = kind
        }
    }

    public let families: [Family]
    private let compiled: [([UInt8], Int)]  // (prefix bytes, family index), longest first
    private let firstByte: [Bool]  // bytes that start some prefix
    /// A byte that starts some prefix.
    public let requiredBytes: [ByteSet]

    public init(_ families: [Family]) {
        self.families = families
        var c: [([UInt8], Int)] = []
        for (k, f) in families.enumerated() { for p in f.prefixes { c.append((Array(p.utf8), k)) } }
        compiled = c.sorted { $0.0.count > $1.0.count }
        var table = [Bool](repeating: false, count: 256)
        for (p, _) in c { table[Int(p[0])] = true }
        firstByte = table
        requiredBytes = [ByteSet(c.map { $0.0[0] })]
    }

    public func scan(_ t: ScanText, into out: inout [DetectorMatch]) {
        let b = t.bytes
        let n = b.count
        // A token starts a word not joined to a `-` on its left: only word starts are
        // candidates, from `resume` on (past the last token).
        var resume = 0
        for i in t.wordStarts where i >= resume {
            let c = b[i]
            guard firstByte[Int(c)], i == 0 || b[i - 1] != 0x2D else { continue }
            var matchedEnd = -1
            var kind = ""
            for (prefix, fam) in compiled where prefix[0] == c && i + prefix.count <= n {
                var ok = true
                var k = 1
                while k < prefix.count { if b[i + k] != prefix[k] { ok = false; break }; k += 1 }
                guard ok else { continue }
                let f = families[fam]
                var e = i + prefix.count
                while e < n && f.alphabet.contains(b[e]) && e - i - prefix.count < f.bodyLength.upperBound + 1 { e += 1 }
                let len = e - i - prefix.count
                if f.bodyLength.contains(len) && (e >= n || !(ASCII.isWord(b[e]) || (b[e] == 0x2D && f.alphabet.contains(0x2D)))) {
                    matchedEnd = e
                    kind = f.kind
                    break
                }
            }
            if matchedEnd > 0 {
                let value = t.string(i, matchedEnd)
                let prefixLen = min(4, value.count)
                out.append(DetectorMatch(start: i, end: matchedEnd, kind: kind, masked: Mask.secret(value, prefix: prefixLen)))
                resume = matchedEnd
            }
        }
    }

    // MARK: built-in families

    /// AWS access key ids: `AKIA`, `ASIA`, `ABIA`, `ACCA`, `A3T?` + 16 base32 chars.
    public static let awsAccessKeyId = PrefixedTokenDetector([
        Family(prefixes: ["AKIA", "ASIA", "ABIA", "ACCA"], alphabet: .base32Upper, bodyLength: 16...16, kind: "AWS access key id"),
    ] + "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789".map {
        Family(prefixes: ["A3T\($0)"], alphabet: .base32Upper, bodyLength: 16...16, kind: "AWS access key id")
    })

    /// GitHub tokens: classic `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_` + 36, fine-grained `github_pat_` + 82.
    public static let github = PrefixedTokenDetector([
        Family(prefixes: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"], alphabet: .alnum, bodyLength: 36...36, kind: "GitHub token"),
        Family(prefixes: ["github_pat_"], alphabet: .word, bodyLength: 82...82, kind: "GitHub fine-grained token"),
    ])

    /// Slack tokens: `xoxb-`, `xoxp-`, `xoxa-`, `xoxr-`, `xoxs-`, `xoxe-` + 10…250 chars.
    public static let slack = PrefixedTokenDetector([
        Family(prefixes: ["xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxe-", "xoxe.xoxp-"], alphabet: .alnumDash,
               bodyLength: 10...250, kind: "Slack token"),
    ])

    /// Google API keys: `AIza` + 35 url-safe chars.
    public static let googleAPIKey = PrefixedTokenDetector([
        Family(prefixes: ["AIza"], alphabet: .urlSafe, bodyLength: 35...35, kind: "Google API key"),
    ])
}

/// JSON Web Tokens: `eyJ…` header, `.`, `eyJ…` payload, `.`, signature (base64url segments;
/// header and payload ≥ 10 chars, signature ≥ 16 chars). Unsigned tokens (`alg: none`,
/// empty signature) are not reported.
public struct JWTDetector: TextDetector {
    /// `eyJ` segments joined by dots.
    public var requiredBytes: [ByteSet] { Self.required }
    private static let required = [ByteSet("e"), ByteSet("y"), ByteSet("J"), ByteSet(".")]

    public init() {}

    @inline(__always) static func isB64URL(_ b: UInt8) -> Bool { ASCII.isWord(b) || b == 0x2D }

    public func scan(_ t: ScanText, into out: inout [DetectorMatch]) {
        let b = t.bytes
        let n = b.count
        var i = 0
        while i + 3 < n {
            guard b[i] == 0x65, b[i + 1] == 0x79, b[i + 2] == 0x4A, i == 0 || !Self.isB64URL(b[i - 1]) else { i += 1; continue }
            var e = i
            var lengths: [Int] = []
            var segStart = i
            while e < n && (Self.isB64URL(b[e]) || b[e] == 0x2E) {
                if b[e] == 0x2E { lengths.append(e - segStart); segStart = e + 1 }
                e += 1
            }
            lengths.append(e - segStart)
            if lengths.count == 3, lengths[0] >= 10, lengths[1] >= 10, lengths[2] >= 16,
               t.at(lengths[0] + i + 1) == 0x65, t.at(lengths[0] + i + 2) == 0x79 {
                out.append(DetectorMatch(start: i, end: e, kind: "JWT", masked: "eyJ… (\(e - i) chars)"))
            }
            i = max(e, i + 1)
        }
    }
}
