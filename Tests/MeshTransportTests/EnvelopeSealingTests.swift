import MeshSigning
import MeshTransport
import MeshWire
import XCTest

final class EnvelopeSealingTests: XCTestCase {
    func testSealedEnvelopesOpenWithTheSignerAndExactBytesForBothAlgorithms() throws {
        for algorithm in SigningAlgorithm.allCases {
            let ring = try TestKeyRing(algorithm: algorithm)
            let envelope = sampleResult()
            let sealed = try ring.sealer("coding").seal(envelope)
            let opened = try ring.opener().open(sealed).get()
            XCTAssertEqual(opened.envelope, envelope, "\(algorithm)")
            XCTAssertEqual(opened.signer.principal, "coding")
            XCTAssertEqual(opened.signer.algorithm, algorithm)
            XCTAssertEqual(opened.sealedBytes, sealed)
        }
    }

    func testTamperedEnvelopeBytesAreABadSignature() throws {
        let ring = try TestKeyRing()
        let codec = EnvelopeCodec()
        var sealed = try codec.decodeSealed(try ring.sealer("coding").seal(sampleResult()))
        sealed.envelope[sealed.envelope.count / 2] ^= 0x01
        XCTAssertEqual(rejection(try ring.opener().open(codec.encode(sealed)))?.reason, .badSignature)
    }

    func testForgedSignatureBytesAreABadSignature() throws {
        let ring = try TestKeyRing()
        let codec = EnvelopeCodec()
        var sealed = try codec.decodeSealed(try ring.sealer("coding").seal(sampleResult()))
        sealed.signatures[0].signature = [UInt8](repeating: 7, count: 32)
        let result = rejection(try ring.opener().open(codec.encode(sealed)))
        XCTAssertEqual(result?.reason, .badSignature)
        XCTAssertEqual(result?.isSecurityEvent, true)
    }

    func testAKeyFromAnotherRingIsAnUnknownKey() throws {
        let ours = try TestKeyRing()
        let theirs = try TestKeyRing()
        let sealed = try theirs.sealer("coding").seal(sampleResult())
        let result = rejection(try ours.opener().open(sealed))
        XCTAssertEqual(result?.reason, .unknownKey)
        XCTAssertTrue(result?.detail.contains("coding-") ?? false, "the detail names the key id: \(String(describing: result))")
    }

    func testGarbageIsMalformedAndHugeInputIsOversize() throws {
        let opener = try TestKeyRing().opener()
        XCTAssertEqual(rejection(opener.open(Array("not an envelope at all".utf8)))?.reason, .malformed)
        XCTAssertEqual(rejection(opener.open([UInt8](repeating: 0, count: 2 << 20)))?.reason, .oversize)
    }

    func testARoleCannotClaimAnotherRolesSource() throws {
        let ring = try TestKeyRing()
        let impersonation = sampleResult(source: "/mesh/reviewer/r-1")
        let result = rejection(try ring.opener().open(ring.sealer("coding").seal(impersonation)))
        XCTAssertEqual(result?.reason, .sourceMismatch)
    }

    func testAPersonSignsOnlyAsThemselves() throws {
        let ring = try TestKeyRing()
        let decision = { (source: String) in
            Envelope(source: source, correlationID: "obj-1", payload: .approvalDecision(ApprovalDecision(
                approvalID: "ap-1", decision: .approve, signerID: "alice", printedName: "Alice Example",
                meaning: "approved", signedAtUnixMicros: 1, reason: "looks right", resultSHA256: [1, 2])))
        }
        XCTAssertNoThrow(try ring.opener().open(ring.sealer("alice").seal(decision("/mesh/approver/alice"))).get())
        XCTAssertEqual(
            rejection(try ring.opener().open(ring.sealer("alice").seal(decision("/mesh/approver/bob"))))?.reason,
            .sourceMismatch)
    }

    func testCloudEventHeadersMirrorTheEnvelope() {
        let envelope = sampleResult()
        let headers = CloudEventHeaders.headers(for: envelope)
        let value = { (key: String) in headers.first { $0.key == key }?.stringValue }
        XCTAssertEqual(value("ce_id"), envelope.id)
        XCTAssertEqual(value("ce_type"), "agentmesh.task.result.v1")
        XCTAssertEqual(value("ce_source"), "/mesh/coding/agent-1")
        XCTAssertEqual(value("ce_specversion"), "1.0")
        XCTAssertEqual(value("ce_subject"), "task-1")
        XCTAssertEqual(value("ce_correlationid"), "obj-1")
        XCTAssertEqual(value("ce_causationid"), "task-env-1")
        XCTAssertEqual(value("traceparent"), envelope.traceparent)
        XCTAssertEqual(value("content-type"), CloudEventHeaders.contentType)
        let time = try? XCTUnwrap(value("ce_time"))
        XCTAssertNotNil(time.flatMap { ISO8601DateFormatter.withFractionalSeconds.date(from: $0) }, "RFC 3339: \(time ?? "")")
    }

    private func rejection(_ result: Result<OpenedEnvelope, EnvelopeRejection>) -> EnvelopeRejection? {
        if case .failure(let rejection) = result { return rejection }
        XCTFail("expected a rejection")
        return nil
    }
}

extension ISO8601DateFormatter {
    static var withFractionalSeconds: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
