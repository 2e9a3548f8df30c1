/// PEM / armored private key blocks (RSA, EC, DSA, OPENSSH, PGP, PKCS#8, encrypted).
///
/// Matches `-----BEGIN <words> PRIVATE KEY[ BLOCK]-----`. With `requireBody` (the default) the
/// header must be followed by at least 64 base64 characters before the `-----END` line, so a
/// header quoted in documentation is not reported. The finding spans the header only and
/// never shows key material.
public struct PrivateKeyDetector: TextDetector {
    /// The `-----BEGIN` header.
    public var requiredBytes: [ByteSet] { Self.required }
    private static let required = [ByteSet("-"), ByteSet("B")]

    public var requireBody: Bool

    public init(requireBody: Bool = true) { self.requireBody = requireBody }

    static let begin = Array("-----BEGIN ".utf8)
    static let beginLower = Array("-----begin ".utf8)
    static let privateKey = Array("PRIVATE KEY".utf8)
    static let dashes = Array("-----".utf8)

    public func scan(_ t: ScanText, into out: inout [DetectorMatch]) {
        guard t.mayContain(Self.beginLower) else { return }
        let b = t.bytes
        let n = b.count
        let headerLength = Self.begin.count
        var i = 0
        while i + headerLength < n {
            guard b[i] == 0x2D, b[i + 5] == 0x42, t.matchesLower(Self.beginLower, at: i) else { i += 1; continue }
            var j = i + headerLength
            let labelStart = j
            while j < n && j - labelStart < 60 && (ASCII.isUpper(b[j]) || ASCII.isDigit(b[j]) || b[j] == 0x20 || b[j] == 0x5F || b[j] == 0x23) && b[j] != 0x2D {
                j += 1
            }
            let label = t.string(labelStart, j)
            guard label.hasSuffix("PRIVATE KEY") || label.hasSuffix("PRIVATE KEY BLOCK"),
                  j + 5 <= n, Array(b[j..<(j + 5)]) == Self.dashes else {
                i += 1
                continue
            }
            let headerEnd = j + 5
            if requireBody {
                var body = 0
                var k = headerEnd
                while k < n && body < 64 {
                    if b[k] == 0x2D && k + 4 < n && b[k + 1] == 0x2D && b[k + 2] == 0x2D { break }
                    if ASCII.isAlnum(b[k]) || b[k] == 0x2B || b[k] == 0x2F { body += 1 }
                    k += 1
                }
                if body < 64 { i = headerEnd; continue }
            }
            out.append(DetectorMatch(start: i, end: headerEnd, kind: "private key",
                                     masked: "-----BEGIN \(label)----- [key material withheld]"))
            i = headerEnd
        }
    }
}
