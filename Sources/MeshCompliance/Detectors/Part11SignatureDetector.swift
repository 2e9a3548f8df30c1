import Foundation

/// 21 CFR Part 11 §11.50 signature manifestation check.
///
/// Reports when the record has no electronic signature at all, and for each signature a
/// missing printed name, a missing or malformed signing time (must be ISO-8601 date-time
/// with a zone: `2026-03-01T14:05:00Z` or `…+01:00`), and a missing meaning or one outside
/// the controlled vocabulary `meanings` (empty vocabulary = any non-empty meaning).
/// Which records need a signature is decided by the rule scope (roles, minimum risk).
public struct Part11SignatureDetector: RecordDetector {
    /// Allowed signature meanings, lowercase.
    public let meanings: [String]
    /// Minimum number of signatures required.
    public let minSignatures: Int

    public init(meanings: [String] = ["authorship", "review", "approval", "responsibility"], minSignatures: Int = 1) {
        self.meanings = meanings.map { $0.lowercased() }
        self.minSignatures = minSignatures
    }

    public func check(_ subject: ComplianceSubject) -> [RecordIssue] {
        var issues: [RecordIssue] = []
        if subject.signatures.count < minSignatures {
            issues.append(RecordIssue(
                location: "signatures",
                message: "record requires \(minSignatures) electronic signature(s) (§11.50), found \(subject.signatures.count)"))
        }
        for (k, sig) in subject.signatures.enumerated() {
            let base = "signatures[\(k)]"
            if (sig.printedName ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                issues.append(RecordIssue(location: "\(base).printed_name", message: "signature lacks the signer's printed name (§11.50(a)(1))"))
            }
            if let at = sig.signedAt, !at.isEmpty {
                if !Self.isISO8601WithZone(at) {
                    issues.append(RecordIssue(location: "\(base).signed_at",
                                              message: "signing time is not an ISO-8601 date-time with zone (§11.50(a)(2))"))
                }
            } else {
                issues.append(RecordIssue(location: "\(base).signed_at", message: "signature lacks the date and time of signing (§11.50(a)(2))"))
            }
            let meaning = (sig.meaning ?? "").trimmingCharacters(in: .whitespaces).lowercased()
            if meaning.isEmpty {
                issues.append(RecordIssue(location: "\(base).meaning", message: "signature lacks its meaning (§11.50(a)(3))"))
            } else if !meanings.isEmpty && !meanings.contains(meaning) {
                issues.append(RecordIssue(
                    location: "\(base).meaning",
                    message: "signature meaning \"\(Mask.truncate(meaning, 24))\" is not one of: \(meanings.joined(separator: ", ")) (§11.50(a)(3))"))
            }
        }
        return issues
    }

    /// `YYYY-MM-DDTHH:MM[:SS[.fff]](Z|±HH:MM)` with plausible field ranges.
    public static func isISO8601WithZone(_ s: String) -> Bool {
        let b = Array(s.utf8)
        let t = ScanText(bytes: b)
        func num(_ i: Int, _ len: Int) -> Int? { t.digitRun(i) >= len ? t.number(i, i + len) : nil }
        guard b.count >= 17, let y = num(0, 4), b[4] == 0x2D, let mo = num(5, 2), b[7] == 0x2D, let d = num(8, 2),
              b[10] == 0x54 || b[10] == 0x74 || b[10] == 0x20, let h = num(11, 2), b[13] == 0x3A, let mi = num(14, 2)
        else { return false }
        guard y >= 1900, (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60 else { return false }
        var i = 16
        if i < b.count && b[i] == 0x3A {
            guard let sec = num(i + 1, 2), sec <= 60 else { return false }
            i += 3
            if i < b.count && (b[i] == 0x2E || b[i] == 0x2C) {
                let r = t.digitRun(i + 1)
                guard r >= 1 else { return false }
                i += 1 + r
            }
        }
        guard i < b.count else { return false }  // zone is mandatory
        if b[i] == 0x5A || b[i] == 0x7A { return i + 1 == b.count }
        guard b[i] == 0x2B || b[i] == 0x2D, let zh = num(i + 1, 2), zh <= 14 else { return false }
        i += 3
        if i < b.count && b[i] == 0x3A { i += 1 }
        guard let zm = num(i, 2), zm < 60 else { return false }
        return i + 2 == b.count
    }
}
