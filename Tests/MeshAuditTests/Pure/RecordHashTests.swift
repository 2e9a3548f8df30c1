import XCTest
import MeshSigning
@testable import MeshAudit

final class RecordHashTests: XCTestCase {
    private let input = AuditRecordInput(
        raw: Array("sealed".utf8), envelopeID: "env-1", type: "review.verdict", source: "reviewer", subject: "T-7",
        correlationID: "corr-9", causationID: "env-0", eventTimeMicros: 1_750_000_000_000_001,
        signerKeyID: "reviewer-key", signerPrincipal: "reviewer", verification: .verified,
        kafka: KafkaCoordinates(topic: "mesh.review", partition: 2, offset: 41, timestampMillis: 1_750_000_000_002))

    private func hash(_ input: AuditRecordInput, sequence: Int64 = 1, previous: [UInt8] = AuditRecordHasher.genesisHash,
                      recordedAt: Int64 = 1_760_000_000_000_000) -> String {
        Hex.encode(AuditRecordHasher.hash(sequence: sequence, previousHash: previous, recordedAtMicros: recordedAt, input: input))
    }

    func testEncodingLayoutIsPinned() {
        let encoding = AuditRecordHasher.encoding(sequence: 1, previousHash: AuditRecordHasher.genesisHash,
                                                  recordedAtMicros: 7, input: input)
        let prefix = Array("agentmesh-audit-record-v1\0".utf8)
        XCTAssertEqual(Array(encoding.prefix(prefix.count)), prefix)
        // sequence as int64 BE, then the previous hash with its 4-byte length.
        XCTAssertEqual(Array(encoding[prefix.count..<(prefix.count + 12)]), [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 32])
        XCTAssertEqual(Array(encoding.suffix(8)), [0, 0, 0, 0, 0, 0, 0, 7], "recordedAt is last")
    }

    /// Computed once with this implementation, cross-checked with an independent Python
    /// rendering of the documented layout (hashlib + struct), and pinned: any change to the
    /// encoding must come with a new domain tag (v2), never silently.
    func testGoldenVector() {
        XCTAssertEqual(hash(input), "46d3017bfe8f33def2d45733d12eb6d5b35317a9b878f6259bfe72d17ffd787c")
        XCTAssertEqual(hash(rejected(input, "bad signature"), sequence: 2, previous: [UInt8](repeating: 0xab, count: 32)),
                       "b8acc419e6d22271bf24024f7ddbfa955b16aaf42922ff8b917a3563d895c02a")
    }

    private func rejected(_ input: AuditRecordInput, _ reason: String) -> AuditRecordInput {
        var copy = input
        copy.verification = .rejected(reason: reason)
        copy.signerKeyID = nil
        return copy
    }

    func testEveryFieldIsCovered() {
        let base = hash(input)
        var variants: [AuditRecordInput] = []
        func vary(_ change: (inout AuditRecordInput) -> Void) {
            var copy = input
            change(&copy)
            variants.append(copy)
        }
        vary { $0.raw.append(0) }
        vary { $0.envelopeID = "env-2" }
        vary { $0.type = "review.verdicT" }
        vary { $0.source = "coder" }
        vary { $0.subject = "T-8" }
        vary { $0.correlationID = "corr-8" }
        vary { $0.causationID = "" }
        vary { $0.eventTimeMicros += 1 }
        vary { $0.signerKeyID = nil }
        vary { $0.signerPrincipal = "other" }
        vary { $0.verification = .rejected(reason: "") }
        vary { $0.kafka.topic = "mesh.reviews" }
        vary { $0.kafka.partition = 3 }
        vary { $0.kafka.offset = 42 }
        vary { $0.kafka.timestampMillis += 1 }
        let hashes = variants.map { hash($0) }
        XCTAssertFalse(hashes.contains(base))
        XCTAssertEqual(Set(hashes).count, hashes.count)
        XCTAssertNotEqual(hash(input, sequence: 2), base)
        XCTAssertNotEqual(hash(input, previous: [UInt8](repeating: 1, count: 32)), base)
        XCTAssertNotEqual(hash(input, recordedAt: 1), base)
    }

    /// Moving bytes between adjacent text fields must change the hash (length prefixes).
    func testFieldBoundariesAreUnambiguous() {
        var a = input, b = input
        a.type = "ab"; a.source = "c"
        b.type = "a"; b.source = "bc"
        XCTAssertNotEqual(hash(a), hash(b))
        var c = input, d = input
        c.signerKeyID = nil; c.signerPrincipal = "x"
        d.signerKeyID = "x"; d.signerPrincipal = nil
        XCTAssertNotEqual(hash(c), hash(d))
        XCTAssertNotEqual(hash(rejected(input, "")), hash(rejected(input, "\u{0}")))
    }

    func testRecomputeMatchesHash() {
        let h = AuditRecordHasher.hash(sequence: 5, previousHash: [UInt8](repeating: 3, count: 32), recordedAtMicros: 9, input: input)
        let record = AuditRecord(sequence: 5, recordedAtMicros: 9, previousHash: [UInt8](repeating: 3, count: 32), recordHash: h, input: input)
        XCTAssertEqual(AuditRecordHasher.recompute(record), h)
    }
}
