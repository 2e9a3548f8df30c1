import XCTest
@testable import MeshCompliance

/// The evaluator skips a detector when the artifact lacks a byte its pattern needs
/// (`TextDetector.requiredBytes`). These tests check that the skipping never changes a finding:
/// on a varied corpus (fixture text, fixture text with one kind of byte removed, random text),
/// a detector whose required bytes are absent finds nothing when run alone, and the evaluation
/// equals the one in which every detector scans every artifact alone.
final class CombinedScanTests: XCTestCase {
    /// Text with findings for every text detector of the shipped packs, and near misses.
    static let fixtures: [String] = [
        "SSN 287-65-4321 on file; ssn: 287654321; 078-05-1120; 123 45 6789",
        "call 415-555-2671, (415) 555-2671, +1 415 555 2671; fax: 415.555.2672; tel 4155552671",
        "mail jane.doe+tag@example.org or a@b.c or x@y.museum.",
        "seen 3/14/2021, 2021-03-14, 14.03.2021, Jan 5, 2020, 5th January 2020, March 2020, may 2020, May 5",
        "patient aged 93, a 95-year-old, 101 y/o, age: 90, 89 years old, 131 yrs",
        "ZIP 02139-4307 and 94105; 123456",
        "hosts 10.0.0.1, 192.168.1.254:8080, fe80::1, 2001:db8::8a2e:370:7334, ::1, 1.2.3",
        "see https://example.org/a?b=c, http://x.y, ftp://files.example.com/p, www.example.com.",
        "NPI 1234567893, DEA AB1234563, VIN 1HGCM82633A004352",
        "MRN: 88123456, Medical Record Number 12-34-56, account no. 99887766, member ID A1234567",
        "key = " + Fake.awsKeyId + "\naws_secret_access_key = \"" + Fake.awsSecret + "\"",
        "token: " + Fake.github + " and " + Fake.githubPat + "\nSLACK=" + Fake.slack + " google " + Fake.google,
        "Authorization: Bearer " + Fake.jwt,
        "-----BEGIN RSA PRIVATE KEY-----\n" + Fake.pemBody + "\n-----END RSA PRIVATE KEY-----",
        "password = \"hunter2-Very-Secret\"; api_key: 'Zx81-qW3e-Rt5y'; secret=changeme",
        PerformanceTests.artifact4KiB(),
    ]

    /// Byte kinds removed from fixtures, so texts miss exactly what some detector needs.
    static let removals: [ByteSet] = [
        .digits, ByteSet("@"), ByteSet("."), ByteSet(":"), ByteSet("="), ByteSet("=:"), ByteSet("-"), ByteSet("/"),
        ByteSet("19"), ByteSet("J"), ByteSet("y"), ByteSet("B"), ByteSet.eitherCase("hfw"), ByteSet("Aagx"),
    ]

    /// Fixtures, fixtures without each removal, and seeded random text.
    static func corpus() -> [String] {
        var texts = fixtures
        for text in fixtures {
            for removed in removals {
                texts.append(String(decoding: text.utf8.filter { !removed.contains($0) }, as: UTF8.self))
            }
        }
        var rng = CorpusRandom(seed: 0x5EED)
        let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,:;-/@=_+()#'\"\n\r\t".utf8)
        for _ in 0..<300 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(rng.next() % 400) {
                if rng.next() % 40 == 0 {  // a slice of a fixture, so random text holds real shapes too
                    let f = Array(fixtures[Int(rng.next() % UInt64(fixtures.count))].utf8)
                    let a = Int(rng.next() % UInt64(f.count))
                    bytes += f[a..<min(f.count, a + Int(rng.next() % 60))]
                } else {
                    bytes.append(alphabet[Int(rng.next() % UInt64(alphabet.count))])
                }
            }
            texts.append(String(decoding: bytes, as: UTF8.self))
        }
        return texts
    }

    func testDetectorsFindNothingWithoutTheirRequiredBytes() {
        let detectors = shippedBundle.rules.compactMap { rule -> (String, any TextDetector)? in
            guard case .text(let d) = rule.detector else { return nil }
            return (rule.id, d)
        }
        XCTAssertGreaterThanOrEqual(detectors.count, 18)
        var skipped = 0
        var found = 0
        for text in Self.corpus() {
            let scan = ScanText(text)
            let present = scan.present
            for (id, d) in detectors {
                var matches: [DetectorMatch] = []
                d.scan(scan, into: &matches)
                found += matches.count
                if !d.canMatch(present) {
                    skipped += 1
                    XCTAssertEqual(matches, [], "\(id) needs a byte absent from: \(text)")
                }
            }
        }
        // The corpus exercises both sides: skipped detectors and real matches.
        XCTAssertGreaterThan(skipped, 500)
        XCTAssertGreaterThan(found, 200)
    }

    func testEvaluationEqualsEveryDetectorScanningAlone() {
        let texts = Self.corpus()
        var findings = 0
        for (k, text) in texts.enumerated() {
            // Several artifacts and media types per subject, as the worker sees them.
            let artifacts = [
                Artifact(name: "a\(k).md", mediaType: "text/markdown", content: text),
                Artifact(name: "B.swift", mediaType: "text/x-swift", content: texts[(k * 7 + 3) % texts.count]),
            ]
            let s = subject(risk: .high, safety: .c, attributes: ["requirement_ids": "SRS-101"], artifacts: artifacts)
            let combined = shippedBundle.evaluate(s)
            let alone = shippedBundle.evaluate(s, skippingDetectorsThatCannotMatch: false)
            XCTAssertEqual(combined.findings, alone.findings, text)
            XCTAssertEqual(combined.suppressed, alone.suppressed, text)
            XCTAssertEqual(combined.decision, alone.decision, text)
            XCTAssertEqual(combined.decidingRuleIds, alone.decidingRuleIds, text)
            XCTAssertEqual(combined.bundleHash, shippedBundle.hash)
            findings += combined.findings.count
        }
        XCTAssertGreaterThan(findings, 200)
    }

    /// `ScanText.mayContain` lets keyword-triggered detectors return at once: it must never say
    /// no for a word that occurs (in any case), and it must say no often enough to matter.
    func testMayContainNeverMissesAWordThatOccurs() {
        let keywords = ASCII.lowered(["hooks.slack.com", "webhook.office.com", "discord.com", "password", "passwd", "api_key",
                                      "client_secret", "authorization", "x-api-key", "--token", "://", "www.", "-----begin ",
                                      "mrn", "medical record number", "member id", "account", "policy"])
        var absent = 0
        for text in Self.corpus() {
            let scan = ScanText(text)
            let lowered = Array(text.utf8).map(ASCII.lower)
            // Every slice of the text itself occurs, whatever its case.
            var k = 0
            while k + 2 <= lowered.count {
                let word = Array(text.utf8)[k..<min(lowered.count, k + 2 + k % 11)]
                XCTAssertTrue(scan.mayContain(Array(word)), "\(String(decoding: word, as: UTF8.self)) in \(text)")
                k += 7
            }
            for word in keywords {
                if ExclusionMatcher.contains(lowered, word) {
                    XCTAssertTrue(scan.mayContain(word), "\(String(decoding: word, as: UTF8.self)) in \(text)")
                } else if !scan.mayContain(word) {
                    absent += 1
                }
            }
        }
        XCTAssertGreaterThan(absent, 2_000)
    }

    func testByteSet() {
        let s = ByteSet("a:\u{FF}")
        XCTAssertTrue(s.contains(UInt8(ascii: "a")))
        XCTAssertTrue(s.contains(0xBF))  // second UTF-8 byte of ÿ
        XCTAssertFalse(s.contains(UInt8(ascii: "b")))
        XCTAssertTrue(s.intersects(ByteSet(":")))
        XCTAssertFalse(s.intersects(.digits))
        XCTAssertEqual(ScanText("a1").present, ByteSet("1a"))
        XCTAssertEqual(ScanText("ab c_d, 9-x\u{E9}y").wordStarts, [0, 3, 8, 10, 13])
        XCTAssertTrue(ByteSet.eitherCase("h").contains(UInt8(ascii: "H")))
    }
}

/// A deterministic generator (Knuth's MMIX linear congruential step, high bits), so the corpus
/// is the same on every run.
struct CorpusRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state >> 33
    }
}
