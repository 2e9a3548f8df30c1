import Foundation

/// A named reason not to report a match: the value is a look-alike (a reserved example
/// domain, a private IP, a standard code-system URI, a published test identifier, the
/// organisation's own address or workforce e-mail, a placeholder credential).
///
/// Exclusions are declared in a pack's `exclusions:` list, so an auditor reads in the pack
/// why something was not flagged; an excluded match is kept in the verdict's `suppressed`
/// list, at severity info, naming the exclusion, and never decides.
///
/// A class, so the evaluator consults it per match without copying its lists.
public final class ExclusionRule: Sendable {
    /// Bundle-unique id, e.g. `reserved-example-domains`.
    public let id: String
    public let packId: String
    public let description: String
    /// The matcher's name in the pack (`reserved_domain`, `ip_range`, …).
    public let kind: String
    /// Identifier classes whose matches the exclusion inspects.
    public let classes: Set<IdentifierClass>
    /// Rule ids (with `*` wildcards) it is limited to; empty means every rule.
    public let rules: [String]
    let matcher: ExclusionMatcher

    init(id: String, packId: String, description: String, kind: String, classes: Set<IdentifierClass>, rules: [String], matcher: ExclusionMatcher) {
        self.id = id
        self.packId = packId
        self.description = description
        self.kind = kind
        self.classes = classes
        self.rules = rules
        self.matcher = matcher
    }

    /// Whether a match of `cls` by rule `ruleId` with raw `value` is excluded.
    public func excludes(_ value: [UInt8], class cls: IdentifierClass, ruleId: String) -> Bool {
        guard classes.contains(cls) else { return false }
        return excludes(value, ruleId: ruleId)
    }

    /// `excludes(_:class:ruleId:)` for a match already known to be of one of `classes`.
    func excludes(_ value: [UInt8], ruleId: String) -> Bool {
        if !rules.isEmpty && !rules.contains(where: { AllowList.glob(Array($0.utf8), Array(ruleId.utf8)) }) { return false }
        return matcher.matches(value)
    }
}

/// How an exclusion recognises a look-alike.
enum ExclusionMatcher: Sendable {
    /// RFC 2606 / RFC 6761 names: `example.{com,net,org,…}` and their subdomains, `.example`,
    /// `.test`, `.invalid`, `.localhost`, `localhost`.
    case reservedDomain
    /// IPv4/IPv6 CIDR ranges.
    case ipRanges([IPRange])
    /// URL prefixes, case-insensitive.
    case urlPrefixes([[UInt8]])
    /// Exact values after removing everything but letters and digits, case-insensitive;
    /// `lengths[n]` says whether a value of `n` letters and digits is listed, so most matches
    /// are ruled out by one array read before any string is built (both value exclusions
    /// apply to every class, so every match is checked).
    case values(Set<String>, lengths: [Bool])
    /// Glob patterns (`?` one digit, `*` any) over the value's digits; a leading US country
    /// code `1` of an 11-digit number is ignored.
    case digitPatterns([[UInt8]])
    /// E-mail domains (and their subdomains).
    case emailDomains([String])
    /// Postal addresses, compared on letters and digits; a match may be a prefix.
    case addresses([String])
    /// Classic GitHub tokens (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` + 36) whose last six
    /// characters are not the base62 CRC32 of the thirty before them: GitHub issues every
    /// token with that checksum (GitHub blog, 2021-04-05), so such a value was made up.
    case githubChecksumInvalid
    /// Placeholder credentials: a marker substring, a published sample, too few distinct
    /// characters, a long run of one character, or too little entropy.
    case secretPlaceholder(markers: [[UInt8]], samples: Set<String>, minEntropy: Double, minDistinct: Int)

    func matches(_ value: [UInt8]) -> Bool {
        switch self {
        case .reservedDomain:
            guard let host = Self.hostBytes(value) else { return false }
            if host == Self.localhost || host == Self.example { return true }
            for tld in Self.reservedTLDs where host.count > tld.count && host.suffix(tld.count).elementsEqual(tld) { return true }
            // `example.<tld>` and its subdomains: the second-level label is `example`.
            guard let lastDot = host.lastIndex(of: 0x2E) else { return false }
            let beforeTLD = host[..<lastDot]
            let start = (beforeTLD.lastIndex(of: 0x2E).map { $0 + 1 }) ?? beforeTLD.startIndex
            return beforeTLD[start...].elementsEqual(Self.example)
        case .ipRanges(let ranges):
            // An IP, or a URL whose host is one (`http://10.0.0.5:8080/api`).
            let address: [UInt8]?
            if value.contains(0x2F) {
                guard let host = Self.hostBytes(value), let first = host.first, ASCII.isDigit(first) || first == 0x5B else { return false }
                address = IPRange.parseAddress(String(decoding: host, as: UTF8.self))
            } else {
                address = IPRange.parseIPv4(value[...]) ?? IPRange.parseAddress(String(decoding: value, as: UTF8.self))
            }
            guard let address else { return false }
            return ranges.contains { $0.contains(address) }
        case .urlPrefixes(let prefixes):
            return prefixes.contains { p in
                guard value.count >= p.count else { return false }
                for k in 0..<p.count where ASCII.lower(value[k]) != p[k] { return false }
                return true
            }
        case .values(let set, let lengths):
            // Most matches differ in length from every listed value: count before building a string.
            var count = 0
            for b in value where ASCII.isAlnum(b) { count += 1 }
            guard count < lengths.count && lengths[count] else { return false }
            return set.contains(Self.alnum(value))
        case .digitPatterns(let patterns):
            var digits = value.filter(ASCII.isDigit)
            if digits.count == 11 && digits[0] == 0x31 { digits.removeFirst() }
            return patterns.contains { Self.glob($0, digits) }
        case .emailDomains(let domains):
            guard let at = value.lastIndex(of: 0x40) else { return false }
            let domain = String(decoding: value[(at + 1)...].map(ASCII.lower), as: UTF8.self)
            return domains.contains { domain == $0 || domain.hasSuffix("." + $0) }
        case .addresses(let addresses):
            let v = Self.alnum(value)
            guard v.count >= 4 else { return false }
            return addresses.contains { $0 == v || $0.hasPrefix(v) || v.hasPrefix($0) }
        case .githubChecksumInvalid:
            guard value.count == 40, value[0] == 0x67, value[1] == 0x68, value[3] == 0x5F,
                  [0x70, 0x6F, 0x75, 0x73, 0x72].contains(value[2]), value[4...].allSatisfy(ASCII.isAlnum) else { return false }
            var claimed: UInt64 = 0
            for c in value[34...] {
                let digit: UInt64
                if ASCII.isDigit(c) { digit = UInt64(c - 0x30) } else if ASCII.isUpper(c) { digit = UInt64(c - 0x41 + 10) } else { digit = UInt64(c - 0x61 + 36) }
                claimed = claimed * 62 + digit
            }
            return claimed != UInt64(CRC32.checksum(value[4..<34]))
        case .secretPlaceholder(let markers, let samples, let minEntropy, let minDistinct):
            if samples.contains(String(decoding: value, as: UTF8.self)) { return true }
            let lowered = value.map(ASCII.lower)
            for m in markers where Self.contains(lowered, m) { return true }
            // The body after a known prefix (`ghp_`, `AKIA`, `xoxb-`) carries the randomness.
            if ByteSet(value).count < minDistinct || SecretValue.longestRun(value) >= 6 { return true }
            return value.count >= 8 && SecretValue.entropy(value) < minEntropy
        }
    }

    static let localhost = Array("localhost".utf8)
    static let www = Array("www.".utf8)
    static let example = Array("example".utf8)
    static let reservedTLDs = [".test", ".invalid", ".localhost", ".example"].map { Array($0.utf8) }

    /// Lowercase host bytes of a URL or e-mail address, without a trailing dot or `www.`.
    static func hostBytes(_ value: [UInt8]) -> [UInt8]? {
        var s = 0
        if let at = value.lastIndex(of: 0x40), !value.contains(0x2F) { s = at + 1 } else {
            var k = 0
            while k + 2 < value.count { if value[k] == 0x3A && value[k + 1] == 0x2F && value[k + 2] == 0x2F { s = k + 3; break }; k += 1 }
            if let at = value[s...].firstIndex(of: 0x40), !value[s..<at].contains(0x2F) { s = at + 1 }
        }
        var e = s
        if e < value.count && value[e] == 0x5B {  // [IPv6]
            while e < value.count && value[e] != 0x5D { e += 1 }
            return Array(value[(s + 1)..<e])
        }
        while e < value.count && value[e] != 0x2F && value[e] != 0x3A && value[e] != 0x3F && value[e] != 0x23 { e += 1 }
        guard e > s else { return nil }
        var host = value[s..<e].map(ASCII.lower)
        while host.last == 0x2E { host.removeLast() }
        if host.starts(with: Self.www) { host.removeFirst(4) }
        return host
    }

    static func alnum(_ value: some Sequence<UInt8>) -> String {
        // One pass into one buffer (filter then map made two arrays per call).
        var out: [UInt8] = []
        out.reserveCapacity(value.underestimatedCount)
        for b in value where ASCII.isAlnum(b) { out.append(ASCII.lower(b)) }
        return String(decoding: out, as: UTF8.self)
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        var i = 0
        while i + needle.count <= haystack.count {
            if haystack[i] == needle[0] && haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }

    /// `?` matches one byte, `*` any run.
    static func glob(_ p: [UInt8], _ s: [UInt8]) -> Bool {
        var pi = 0, si = 0, star = -1, mark = 0
        while si < s.count {
            if pi < p.count && p[pi] == 0x2A {
                star = pi; mark = si; pi += 1
            } else if pi < p.count && (p[pi] == 0x3F || p[pi] == s[si]) {
                pi += 1; si += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; si = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == 0x2A { pi += 1 }
        return pi == p.count
    }

    /// Builds the matcher named `kind` from its parameters.
    static func make(_ kind: String, _ p: inout DetectorParameters) throws -> (ExclusionMatcher, Set<IdentifierClass>) {
        switch kind {
        case "reserved_domain":
            return (.reservedDomain, [.email, .url])
        case "ip_range":
            let ranges = try p.strings("ranges", default: [])
            guard !ranges.isEmpty else { throw DetectorConfigError(parameter: "ranges", "at least one CIDR range is required") }
            return (.ipRanges(try ranges.map { r in
                guard let range = IPRange(r) else { throw DetectorConfigError(parameter: "ranges", "\"\(r)\" is not an IPv4 or IPv6 CIDR range") }
                return range
            }), [.ip, .url])
        case "url_prefix":
            let prefixes = try p.strings("prefixes", default: [])
            guard !prefixes.isEmpty else { throw DetectorConfigError(parameter: "prefixes", "at least one prefix is required") }
            return (.urlPrefixes(ASCII.lowered(prefixes)), [.url])
        case "value":
            let values = try p.strings("values", default: [])
            guard !values.isEmpty else { throw DetectorConfigError(parameter: "values", "at least one value is required") }
            let set = Set(values.map { alnum(Array($0.utf8)) })
            var lengths = [Bool](repeating: false, count: (set.map(\.utf8.count).max() ?? 0) + 1)
            for v in set { lengths[v.utf8.count] = true }
            return (.values(set, lengths: lengths), Set(IdentifierClass.allCases))
        case "digit_pattern":
            let patterns = try p.strings("patterns", default: [])
            guard !patterns.isEmpty else { throw DetectorConfigError(parameter: "patterns", "at least one pattern is required") }
            for pattern in patterns where !pattern.allSatisfy({ $0.isNumber || $0 == "?" || $0 == "*" }) {
                throw DetectorConfigError(parameter: "patterns", "\"\(pattern)\": use digits, ? and * only")
            }
            return (.digitPatterns(patterns.map { Array($0.utf8) }), [.phone, .fax])
        case "email_domain":
            let domains = try p.strings("domains", default: [])
            guard !domains.isEmpty else { throw DetectorConfigError(parameter: "domains", "at least one domain is required") }
            return (.emailDomains(domains.map { $0.lowercased() }), [.email])
        case "address":
            let addresses = try p.strings("addresses", default: [])
            guard !addresses.isEmpty else { throw DetectorConfigError(parameter: "addresses", "at least one address is required") }
            return (.addresses(addresses.map { alnum(Array($0.utf8)) }), [.streetAddress])
        case "github_checksum":
            return (.githubChecksumInvalid, [.secret])
        case "secret_placeholder":
            // No `xxxx`/`0000` markers: four of them occur by chance in long random tokens; runs
            // of six or more of one character (`AKIAXXXXXXXX…`) are caught by the run test.
            let markers = try p.strings("markers", default: ["****", "your-", "your_", "<", "${", "{{", "changeme", "placeholder", "example", "dummy", "redacted"])
            let samples = try p.strings("samples", default: [])
            guard let entropy = Double(try p.string("min_entropy", default: "2.5") ?? "2.5"), entropy >= 0, entropy <= 8 else {
                throw DetectorConfigError(parameter: "min_entropy", "expected bits per character between 0 and 8")
            }
            return (.secretPlaceholder(markers: ASCII.lowered(markers), samples: Set(samples), minEntropy: entropy,
                                       minDistinct: try p.int("min_distinct", default: 5, in: 1...64)), [.secret])
        default:
            throw DetectorConfigError(parameter: nil, "unknown exclusion kind \"\(kind)\"; known: \(kinds.joined(separator: ", "))")
        }
    }

    static let kinds = ["address", "digit_pattern", "email_domain", "github_checksum", "ip_range", "reserved_domain", "secret_placeholder",
                        "url_prefix", "value"]
}

/// An IPv4 or IPv6 CIDR range.
struct IPRange: Sendable {
    let bytes: [UInt8]
    let prefix: Int

    init?(_ cidr: String) {
        let parts = cidr.split(separator: "/", maxSplits: 1)
        guard let address = IPRange.parseAddress(String(parts[0])) else { return nil }
        let bits = parts.count == 2 ? Int(parts[1]) : address.count * 8
        guard let bits, bits >= 0, bits <= address.count * 8 else { return nil }
        self.bytes = address
        self.prefix = bits
    }

    func contains(_ address: [UInt8]) -> Bool {
        guard address.count == bytes.count else { return false }
        var remaining = prefix
        for k in 0..<bytes.count where remaining > 0 {
            let n = min(8, remaining)
            let mask: UInt8 = n == 8 ? 0xFF : ~(0xFF >> UInt8(n))
            if address[k] & mask != bytes[k] & mask { return false }
            remaining -= n
        }
        return true
    }

    /// Dotted-quad IPv4 from bytes (the common case, without building a string).
    static func parseIPv4(_ b: ArraySlice<UInt8>) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(4)
        var value = 0, digits = 0
        for c in b {
            if ASCII.isDigit(c) {
                value = value * 10 + Int(c - 0x30)
                digits += 1
                if digits > 3 || value > 255 { return nil }
            } else if c == 0x2E && digits > 0 && out.count < 3 {
                out.append(UInt8(value))
                value = 0
                digits = 0
            } else {
                return nil
            }
        }
        guard digits > 0, out.count == 3 else { return nil }
        out.append(UInt8(value))
        return out
    }

    /// 4 bytes for IPv4, 16 for IPv6 (with `::`, an embedded IPv4 tail, and a `%zone` dropped).
    static func parseAddress(_ text: String) -> [UInt8]? {
        var s = Substring(text)
        if let pct = s.firstIndex(of: "%") { s = s[..<pct] }
        if s.hasPrefix("[") { s = s.dropFirst(); if let close = s.firstIndex(of: "]") { s = s[..<close] } }
        if !s.contains(":") {
            let parts = s.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 4 else { return nil }
            var out: [UInt8] = []
            for p in parts { guard let v = UInt8(p) else { return nil }; out.append(v) }
            return out
        }
        let halves = s.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            var out: [UInt16] = []
            for g in part.split(separator: ":", omittingEmptySubsequences: false) {
                if g.contains(".") {
                    guard let v4 = parseAddress(String(g)) else { return nil }
                    out.append(UInt16(v4[0]) << 8 | UInt16(v4[1]))
                    out.append(UInt16(v4[2]) << 8 | UInt16(v4[3]))
                } else {
                    guard g.count <= 4, let v = UInt16(g, radix: 16) else { return nil }
                    out.append(v)
                }
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        var all = head
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
            all += [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        guard all.count == 8 else { return nil }
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }
}

/// CRC-32 (IEEE 802.3, reflected, as zlib's `crc32`).
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
