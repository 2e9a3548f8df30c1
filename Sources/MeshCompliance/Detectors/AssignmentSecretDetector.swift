/// Secrets recognised by the name they are assigned to: `password = "…"`, `DB_PASSWORD=…`,
/// `"client_secret": "…"`, `aws_secret_access_key: …`.
///
/// The key is an identifier ending (case-insensitively) in one of `keys`; the operator is
/// `=`, `:`, `:=` or `=>` (not `==`/`!=`); the value is quoted or runs to the next
/// whitespace/`,;)}]`. A value counts only when it is non-trivial: at least `minLength`
/// characters, `minDistinct` distinct characters, two character classes, no placeholder
/// marker (`${`, `<`, `(`, `changeme`, `example`, …) and, when `valueLength` is set, exactly
/// that many characters from `valueAlphabet` (used for AWS secret keys: 40 × `[A-Za-z0-9/+=]`).
///
/// Keys that only suggest a secret (`entropyKeys`: `token`, `key`, `credential`, `signature`…,
/// which also name ids, lookup keys and counters) hold one only when the value looks machine-
/// generated: at least `entropyMinLength` characters of a token alphabet (letters, digits,
/// `- _ . / + = ~`), letters and digits both, and a Shannon entropy of at least `minEntropy`
/// bits per character. Random 32-character base64 has about 4.5–5 bits, hex about 3.6–4,
/// words and identifiers stay under 3.5. Values of a known format have their own detectors;
/// this finds the rest. A hash under a non-secret key (`sha256:`, `commit=`) is never looked at.
public struct AssignmentSecretDetector: TextDetector {
    /// `=` or `:` after the key.
    public var requiredBytes: [ByteSet] { Self.required }
    private static let required = [ByteSet("=:")]

    let keys: [[UInt8]]
    /// Lowercase last bytes of the keys (cheap pre-filter on identifier ends).
    let finals: [Bool]
    public let kind: String
    public let minLength: Int
    public let minDistinct: Int
    let placeholders: [[UInt8]]
    public let valueLength: Int?
    /// Keys whose values count only when they look random (see the type's documentation).
    let entropyKeys: [[UInt8]]
    public let minEntropy: Double
    public let entropyMinLength: Int

    /// Placeholder substrings rejected by default (lowercase).
    public static let defaultPlaceholders = [
        "changeme", "change_me", "example", "placeholder", "redacted", "your_", "your-", "yourpassword",
        "dummy", "xxxx", "****", "<", "${", "{{", "#{", "%(", "(", "process.env", "os.environ", "getenv",
        "secretref", "vault:", "env(",
    ]

    public init(keys: [String], kind: String, minLength: Int = 8, minDistinct: Int = 5,
                placeholders: [String] = defaultPlaceholders, valueLength: Int? = nil,
                entropyKeys: [String] = [], minEntropy: Double = 3.5, entropyMinLength: Int = 20) {
        self.keys = ASCII.lowered(keys)
        self.entropyKeys = ASCII.lowered(entropyKeys)
        self.minEntropy = minEntropy
        self.entropyMinLength = entropyMinLength
        var table = [Bool](repeating: false, count: 256)
        for k in self.keys + self.entropyKeys where !k.isEmpty { table[Int(k[k.count - 1])] = true }
        self.finals = table
        self.kind = kind
        self.minLength = minLength
        self.minDistinct = minDistinct
        self.placeholders = ASCII.lowered(placeholders)
        self.valueLength = valueLength
    }

    @inline(__always) static func isIdent(_ b: UInt8) -> Bool { ASCII.isWord(b) || b == 0x2D || b == 0x2E }

    public func scan(_ t: ScanText, into out: inout [DetectorMatch]) {
        // A key ends with one of `keys`, so one of them occurs in the text.
        guard t.mayContainAny(keys) || (!entropyKeys.isEmpty && t.mayContainAny(entropyKeys)) else { return }
        let b = t.bytes
        let n = b.count
        // A key is assigned with `:` or `=`: the operators are the candidates, and the key is the
        // identifier ending right before one (after spaces and a closing quote). Walking the
        // operators costs one comparison per byte; walking every identifier cost several.
        var resume = 0
        var p = 0
        while p < n {
            let c = b[p]
            p += 1
            guard c == 0x3A || c == 0x3D, p - 1 >= resume else { continue }
            var e = p - 1
            while e > 0 && ASCII.isSpace(b[e - 1]) { e -= 1 }
            if e > 0 && (b[e - 1] == 0x22 || b[e - 1] == 0x27) { e -= 1 }
            guard e > resume, Self.isIdent(b[e - 1]), finals[Int(ASCII.lower(b[e - 1]))] else { continue }
            var s = e
            while s > 0 && Self.isIdent(b[s - 1]) { s -= 1 }
            guard s >= resume else { continue }
            let secretKey = keyMatches(keys, b, s, e)
            guard secretKey || (keyMatches(entropyKeys, b, s, e) && !Self.namesPublicValue(t, s, e)),
                  let (vs, ve) = value(t, after: e) else { continue }
            if secretKey ? accept(b, vs, ve) : looksRandom(b, vs, ve) && accept(b, vs, ve) {
                let v = t.string(vs, ve)
                let masked = valueLength != nil ? Mask.secret(v, prefix: 0) : "\(String(repeating: "*", count: 8)) (\(v.count) chars)"
                out.append(DetectorMatch(start: vs, end: ve, kind: secretKey ? kind : "high-entropy value under a secret-like key", masked: masked))
                resume = ve
                p = max(p, ve)
            }
        }
    }

    private func keyMatches(_ keys: [[UInt8]], _ b: [UInt8], _ s: Int, _ e: Int) -> Bool {
        for k in keys where k.count <= e - s {
            var ok = true
            var j = 0
            let off = e - k.count
            while j < k.count { if ASCII.lower(b[off + j]) != k[j] { ok = false; break }; j += 1 }
            if ok { return true }
        }
        return false
    }

    /// Finds the assigned value after the key ending at `e`.
    private func value(_ t: ScanText, after e: Int) -> (Int, Int)? {
        let b = t.bytes
        let n = b.count
        var j = e
        if j < n && (b[j] == 0x22 || b[j] == 0x27) { j += 1 }  // closing quote of a quoted key
        while j < n && ASCII.isSpace(b[j]) { j += 1 }
        guard j < n else { return nil }
        if b[j] == 0x3A {
            j += 1
            if j < n && b[j] == 0x3D { j += 1 }
        } else if b[j] == 0x3D {
            j += 1
            if j < n && b[j] == 0x3D { return nil }  // ==
            if j < n && b[j] == 0x3E { j += 1 }  // =>
        } else {
            return nil
        }
        while j < n && ASCII.isSpace(b[j]) { j += 1 }
        guard j < n else { return nil }
        let q = b[j]
        if q == 0x22 || q == 0x27 || q == 0x60 {
            let vs = j + 1
            var ve = vs
            while ve < n && b[ve] != q && b[ve] != 0x0A { ve += 1 }
            guard ve < n && b[ve] == q else { return nil }
            return (vs, ve)
        }
        var ve = j
        while ve < n && !ASCII.isWhitespace(b[ve]) && b[ve] != 0x2C && b[ve] != 0x3B && b[ve] != 0x29
            && b[ve] != 0x7D && b[ve] != 0x5D { ve += 1 }
        return ve > j ? (j, ve) : nil
    }

    static let publicWords = ASCII.lowered(["public", "idempotency", "cache", "primary", "foreign", "sort", "partition"])

    /// Keys of values meant to be seen (`public_key`, `publicKey`) or to look things up
    /// (`idempotency_key`, `cache_key`, `partition_key`): random-looking, not secret.
    static func namesPublicValue(_ t: ScanText, _ s: Int, _ e: Int) -> Bool {
        for w in publicWords {
            var k = s
            while k + w.count <= e { if t.matchesLower(w, at: k) { return true }; k += 1 }
        }
        return false
    }

    /// A machine-generated value (`entropyKeys` values): token alphabet only, letters and
    /// digits, at least `entropyMinLength` long, and random by two measures. Entropy alone
    /// does not separate short random strings from readable ones (`user-profile-12345-abcdef`
    /// has 4.1 bits per character, a random 24-character base62 string about 4.3), so the
    /// character class (lower, upper, digit, symbol) must also change between at least 40% of
    /// neighbouring characters (random base62: about 62%; words and dates: under 35%). Hex
    /// values (hashes, keys) have a smaller alphabet: 32 characters or more, 3.0 bits and 30%.
    /// A UUID is an id, not a secret.
    func looksRandom(_ b: [UInt8], _ s: Int, _ e: Int) -> Bool {
        guard e - s >= entropyMinLength, e - s <= 512, !Self.isUUID(b, s, e) else { return false }
        var letters = false, digits = false, hexOnly = true
        var changes = 0
        var previous = -1
        for k in s..<e {
            let c = b[k]
            let cls: Int
            if ASCII.isLower(c) { letters = true; cls = 0 } else if ASCII.isUpper(c) { letters = true; cls = 1 }
            else if ASCII.isDigit(c) { digits = true; cls = 2 }
            else if c == 0x2D || c == 0x5F || c == 0x2E || c == 0x2F || c == 0x2B || c == 0x3D || c == 0x7E { cls = 3 }
            else { return false }
            if !ASCII.isHex(c) { hexOnly = false }
            if previous >= 0 && cls != previous { changes += 1 }
            previous = cls
        }
        guard letters && digits else { return false }
        let changeRatio = Double(changes) / Double(e - s - 1)
        let entropy = SecretValue.entropy(b[s..<e])
        if hexOnly { return e - s >= 32 && entropy >= min(minEntropy, 3.0) && changeRatio >= 0.3 }
        return entropy >= minEntropy && changeRatio >= 0.4
    }

    /// `8-4-4-4-12` hex digits.
    static func isUUID(_ b: [UInt8], _ s: Int, _ e: Int) -> Bool {
        guard e - s == 36 else { return false }
        for k in 0..<36 {
            let c = b[s + k]
            if k == 8 || k == 13 || k == 18 || k == 23 { if c != 0x2D { return false } } else if !ASCII.isHex(c) { return false }
        }
        return true
    }

    private func accept(_ b: [UInt8], _ s: Int, _ e: Int) -> Bool {
        let len = e - s
        if let exact = valueLength {
            guard len == exact else { return false }
            for k in s..<e where !(ASCII.isAlnum(b[k]) || b[k] == 0x2F || b[k] == 0x2B || b[k] == 0x3D) { return false }
        }
        guard len >= minLength, len <= 512 else { return false }
        var seen = [Bool](repeating: false, count: 256)
        var distinct = 0
        var classes = 0  // bitmask lower/upper/digit/other
        for k in s..<e {
            let c = b[k]
            if ASCII.isWhitespace(c) { return false }
            if !seen[Int(c)] { seen[Int(c)] = true; distinct += 1 }
            classes |= ASCII.isLower(c) ? 1 : ASCII.isUpper(c) ? 2 : ASCII.isDigit(c) ? 4 : 8
        }
        guard distinct >= minDistinct, classes.nonzeroBitCount >= 2 else { return false }
        let t = ScanText(bytes: Array(b[s..<e]))
        for p in placeholders {
            var k = 0
            while k + p.count <= len { if t.matchesLower(p, at: k) { return false }; k += 1 }
        }
        return true
    }
}
