import Foundation

/// Passwords in connection URLs: `postgresql://user:pass@host/db`, `redis://:pass@host`,
/// `amqps://`, `mongodb+srv://`, `kafka://`, `mysql://`, `jdbc:postgresql://…`, and any
/// `scheme://user:pass@` form. Only the password is reported.
public struct ConnectionURLPasswordDetector: TextDetector {
    public var identifierClass: IdentifierClass? { .secret }
    public var requiredBytes: [ByteSet] { [ByteSet("@"), ByteSet(":"), ByteSet("/")] }

    public init() {}

    static let separator = Array("://".utf8)

    public func scan(_ t: ScanText, into out: inout [DetectorMatch]) {
        guard t.mayContain(Self.separator) else { return }
        let b = t.bytes
        let n = b.count
        var i = 0
        while i + 3 < n {
            guard b[i] == 0x3A, b[i + 1] == 0x2F, b[i + 2] == 0x2F, i > 0, ASCII.isAlnum(b[i - 1]) else { i += 1; continue }
            // userinfo up to '@', before any '/', whitespace or quote.
            var j = i + 3
            var colon = -1
            while j < n && b[j] != 0x40 && b[j] != 0x2F && !ASCII.isWhitespace(b[j]) && b[j] != 0x22 && b[j] != 0x27 && b[j] != 0x3F && b[j] != 0x23 {
                if b[j] == 0x3A && colon < 0 { colon = j }
                j += 1
            }
            if j < n && b[j] == 0x40 && colon >= 0 && j > colon + 1 {
                let v = t.string(colon + 1, j)
                out.append(DetectorMatch(start: colon + 1, end: j, kind: "password in connection URL",
                                         masked: "******** (\(v.count) chars)", identifierClass: .secret))
            }
            i = j
        }
    }
}

/// Chat webhook URLs, which post as the integration without further credentials: Slack
/// (`hooks.slack.com/services/T…/B…/…`, `/workflows/…`), Microsoft Teams
/// (`*.webhook.office.com/webhookb2/…`, `/IncomingWebhook/`), Discord (`/api/webhooks/<id>/<token>`).
public struct WebhookURLDetector: TextDetector {
    public var identifierClass: IdentifierClass? { .secret }
    public var requiredBytes: [ByteSet] { [ByteSet("/"), ByteSet.eitherCase("k")] }

    public init() {}

    static let markers: [(host: [UInt8], path: [UInt8], kind: String)] = [
        (Array("hooks.slack.com".utf8), Array("/services/".utf8), "Slack webhook URL"),
        (Array("hooks.slack.com".utf8), Array("/workflows/".utf8), "Slack webhook URL"),
        (Array("webhook.office.com".utf8), Array("/webhookb2/".utf8), "Microsoft Teams webhook URL"),
        (Array("discord.com".utf8), Array("/api/webhooks/".utf8), "Discord webhook URL"),
    ]

    public func scan(_ t: ScanText, into out: inout [DetectorMatch]) {
        guard Self.markers.contains(where: { t.mayContain($0.host) }) else { return }
        let b = t.bytes
        var i = 0
        while i < b.count {
            let c = ASCII.lower(b[i])
            guard c == 0x68 || c == 0x77 || c == 0x64, let m = Self.markers.first(where: { t.matchesLower($0.host, at: i) && t.matchesLower($0.path, at: i + $0.host.count) }) else {
                i += 1
                continue
            }
            var s = i
            while s > 0 && !ASCII.isWhitespace(b[s - 1]) && b[s - 1] != 0x22 && b[s - 1] != 0x27 && b[s - 1] != 0x28 && b[s - 1] != 0x3D { s -= 1 }
            var e = i + m.host.count + m.path.count
            let bodyStart = e
            while e < b.count && (ASCII.isAlnum(b[e]) || b[e] == 0x2F || b[e] == 0x2D || b[e] == 0x5F || b[e] == 0x40 || b[e] == 0x2E) { e += 1 }
            if e - bodyStart >= 16 {
                out.append(DetectorMatch(start: s, end: e, kind: m.kind, masked: Mask.secret(t.string(s, e), prefix: e - bodyStart > 0 ? bodyStart - s : 0),
                                         identifierClass: .secret))
            }
            i = e
        }
    }
}

/// Credentials passed in HTTP headers and on command lines: `Authorization: Bearer …`,
/// `Authorization: Basic …`, `x-api-key: …`, `X-Auth-Token: …`, `api-key: …` (also inside
/// `curl -H '…'` and YAML lists), and `--password …`, `--token=…`, `--api-key …`,
/// `--client-secret …`. The value must be at least 8 characters; placeholders are left to
/// the pack's exclusions.
public struct HeaderSecretDetector: TextDetector {
    public var identifierClass: IdentifierClass? { .secret }
    public var requiredBytes: [ByteSet] { [] }

    public init() {}

    static let headers = ASCII.lowered(["authorization", "proxy-authorization", "x-api-key", "x-auth-token", "api-key", "x-access-token", "x-goog-api-key"])
    static let schemes = ASCII.lowered(["bearer ", "basic ", "token ", "apikey "])
    static let flags = ASCII.lowered(["--password", "--passwd", "--token", "--api-key", "--apikey", "--access-token", "--auth-token",
                                      "--client-secret", "--secret", "--private-key"])

    public func scan(_ t: ScanText, into out: inout [DetectorMatch]) {
        guard t.mayContainAny(Self.headers) || t.mayContainAny(Self.flags) else { return }
        let b = t.bytes
        var i = 0
        while i < b.count {
            let c = ASCII.lower(b[i])
            if c == 0x2D && t.at(i + 1) == 0x2D, let (s, e, kind) = flag(t, i) {
                emit(t, s, e, kind, &out)
                i = e
                continue
            }
            if (c == 0x61 || c == 0x78 || c == 0x70) && t.boundaryBefore(i), let (s, e, kind) = header(t, i) {
                emit(t, s, e, kind, &out)
                i = e
                continue
            }
            i += 1
        }
    }

    private func emit(_ t: ScanText, _ s: Int, _ e: Int, _ kind: String, _ out: inout [DetectorMatch]) {
        // `$TOKEN`, `${TOKEN}`, `%TOKEN%`: a reference to where the secret is kept, not a secret.
        guard e - s >= 8, t.bytes[s] != 0x24, t.bytes[s] != 0x25 else { return }
        out.append(DetectorMatch(start: s, end: e, kind: kind, masked: "******** (\(e - s) chars)", identifierClass: .secret))
    }

    private func header(_ t: ScanText, _ i: Int) -> (Int, Int, String)? {
        guard let h = Self.headers.first(where: { t.matchesLower($0, at: i) }), t.at(i + h.count) == 0x3A else { return nil }
        var j = i + h.count + 1
        while t.at(j) == 0x20 { j += 1 }
        var kind = "credential in \(String(decoding: h, as: UTF8.self)) header"
        if let s = Self.schemes.first(where: { t.matchesLower($0, at: j) }) {
            j += s.count
            kind = "\(String(decoding: s.dropLast(), as: UTF8.self)) credential in header"
        } else if h == Self.headers[0] || h == Self.headers[1] {
            return nil  // `Authorization:` followed by prose
        }
        let e = valueEnd(t, j)
        return e > j ? (j, e, kind) : nil
    }

    private func flag(_ t: ScanText, _ i: Int) -> (Int, Int, String)? {
        guard let f = Self.flags.first(where: { t.matchesLower($0, at: i) && !ASCII.isAlnum(t.at(i + $0.count)) && t.at(i + $0.count) != 0x2D }) else { return nil }
        var j = i + f.count
        guard t.at(j) == 0x3D || t.at(j) == 0x20 else { return nil }
        j += 1
        if t.at(j) == 0x22 || t.at(j) == 0x27 { j += 1 }
        guard t.at(j) != 0x2D else { return nil }  // the next flag
        let e = valueEnd(t, j)
        return e > j ? (j, e, "secret passed as \(String(decoding: f, as: UTF8.self))") : nil
    }

    private func valueEnd(_ t: ScanText, _ s: Int) -> Int {
        var e = s
        while e < t.count && !ASCII.isWhitespace(t.bytes[e]) && t.bytes[e] != 0x22 && t.bytes[e] != 0x27 && t.bytes[e] != 0x2C
                && t.bytes[e] != 0x3B && t.bytes[e] != 0x60 && t.bytes[e] != 0x29 { e += 1 }
        return e
    }
}

/// What a secret value looks like: its Shannon entropy and whether it is a placeholder.
public enum SecretValue {
    /// Shannon entropy in bits per character.
    public static func entropy(_ value: some Collection<UInt8>) -> Double {
        guard !value.isEmpty else { return 0 }
        var counts = [Int](repeating: 0, count: 256)
        for b in value { counts[Int(b)] += 1 }
        let n = Double(value.count)
        var h = 0.0
        for c in counts where c > 0 {
            let p = Double(c) / n
            h -= p * log2(p)
        }
        return h
    }

    /// The longest run of one repeated character.
    public static func longestRun(_ value: some Collection<UInt8>) -> Int {
        var best = 0, run = 0
        var previous: UInt8?
        for b in value {
            run = b == previous ? run + 1 : 1
            previous = b
            best = max(best, run)
        }
        return best
    }
}
