import Foundation
import XCTest
import MeshWire

final class RoundTripTests: XCTestCase {
    let codec = EnvelopeCodec()

    func testFixturesCoverEveryPayloadKind() {
        XCTAssertEqual(Set(Fixtures.payloads.map(\.kind)), Set(PayloadKind.allCases))
    }

    func testEveryPayloadRoundTripsAndEncodesDeterministically() throws {
        for envelope in Fixtures.envelopes {
            let bytes = try codec.encode(envelope)
            XCTAssertEqual(try codec.encode(envelope), bytes, "\(envelope.type) not deterministic")
            let decoded = try codec.decode(bytes)
            XCTAssertEqual(decoded, envelope, "\(envelope.type) did not round-trip")
            XCTAssertEqual(decoded.type, envelope.payload.kind.rawValue)
            XCTAssertEqual(try codec.encode(decoded), bytes, "\(envelope.type) re-encode differs")
        }
    }

    func testMinimalPayloadsWithDefaultFieldsRoundTrip() throws {
        // The objective id is the one field the contract ties to the header (correlation id "c").
        let minimal: [Payload] = [
            .objectiveSubmitted(ObjectiveSubmitted(objectiveID: "c", title: "", playbook: "", submittedBy: "")),
            .objectiveCancelRequested(ObjectiveCancelRequested(objectiveID: "c", requestedBy: "")),
            .planCreated(PlanCreated(planID: "", objectiveID: "c", playbook: "")),
            .planStatus(PlanStatus(planID: "")),
            .planCompleted(PlanCompleted(planID: "")),
            .planFailed(PlanFailed(planID: "", failedTaskID: "", reason: "", finalState: .unspecified)),
            .taskAssigned(TaskAssigned(taskID: "", planID: "", role: "", attempt: 0)),
            .taskResult(TaskResult(taskID: "", planID: "", attempt: 0, state: .unspecified, agentID: "")),
            .verdict(Verdict(taskID: "", planID: "", attempt: 0, kind: .unspecified, decision: .unspecified,
                             resultEnvelopeID: "", reviewerID: "")),
            .approvalRequested(ApprovalRequested(approvalID: "", taskID: "", planID: "", attempt: 0,
                                                 resultEnvelopeID: "", resultSHA256: [], authorID: "")),
            .approvalDecision(ApprovalDecision(approvalID: "", decision: .unspecified, signerID: "", printedName: "",
                                               meaning: "", signedAtUnixMicros: 0, resultSHA256: [],
                                               signature: Signature(keyID: "", algorithm: .unspecified, signature: []))),
            .agentHeartbeat(AgentHeartbeat(agentID: "", role: "")),
            .replayRequested(ReplayRequested(replayID: "", objectiveID: "", requestedBy: "", mode: "")),
            .orchestratorSnapshot(OrchestratorSnapshot(formatVersion: 0, state: [], lastEventID: "")),
        ]
        XCTAssertEqual(Set(minimal.map(\.kind)), Set(PayloadKind.allCases))
        for payload in minimal {
            let envelope = Envelope(id: "i", source: "s", correlationID: "c", timeUnixMicros: 0, payload: payload)
            XCTAssertEqual(try codec.decode(try codec.encode(envelope)), envelope, "\(payload.kind)")
        }
    }

    func testAbsentAndEmptyApprovalSignatureStayDistinct() throws {
        guard case .approvalDecision(var decision) = Fixtures.payloads[10] else { return XCTFail("fixture order") }
        decision.signature = nil
        let absent = Fixtures.envelope(.approvalDecision(decision))
        let decoded = try codec.decode(try codec.encode(absent))
        guard case .approvalDecision(let back) = decoded.payload else { return XCTFail("wrong payload") }
        XCTAssertNil(back.signature)
    }

    func testLargeRepeatedFieldsRoundTrip() throws {
        // Enough structs and bytes to spill the encoder's stack scratch into heap chunks,
        // including one artifact larger than a chunk.
        var artifacts = Fixtures.artifacts(300, contentBytes: 100)
        artifacts.append(Artifact(name: "big", content: Array(repeating: 0xAB, count: 100_000)))
        let envelope = Fixtures.envelope(.planCompleted(PlanCompleted(planID: "p", summary: "s", artifacts: artifacts)))
        XCTAssertEqual(try codec.decode(try codec.encode(envelope)), envelope)
    }

    func testSealedEnvelopesRoundTripDeterministically() throws {
        for sealed in Fixtures.sealed {
            let bytes = try codec.encode(sealed)
            XCTAssertEqual(try codec.encode(sealed), bytes)
            let decoded = try codec.decodeSealed(bytes)
            XCTAssertEqual(decoded, sealed)
            XCTAssertEqual(try codec.encode(decoded), bytes)
            // The inner bytes are carried verbatim, so they still decode to the original.
            _ = try codec.decode(decoded.envelope)
        }
    }

    func testSingleBufferSealMatchesTwoStepEncoding() throws {
        // Sizes around the one- and two-byte length varints, and a large artifact.
        var envelopes = Fixtures.envelopes + [Fixtures.oneKiBTaskResult]
        for contentBytes in [0, 1, 50, 100, 127, 128, 129, 16_383, 16_384, 70_000] {
            envelopes.append(Fixtures.envelope(.planCompleted(PlanCompleted(
                planID: "p", summary: "s", artifacts: [Artifact(name: "a", content: Array(repeating: 0x5A, count: contentBytes))]))))
        }
        let signatureSets: [[Signature]] = [
            [Signature(keyID: "hmac-1", algorithm: .hmacSHA256, signature: Array(repeating: 1, count: 32))],
            [Fixtures.signature, Signature(keyID: "", algorithm: .unspecified, signature: [])],
            [Signature(keyID: String(repeating: "k", count: 300), algorithm: .ed25519, signature: Array(repeating: 2, count: 64))],
        ]
        for envelope in envelopes {
            let encoded = try codec.encode(envelope)
            for signatures in signatureSets {
                var signed: [UInt8] = []
                let sealed = try codec.seal(envelope) { bytes in
                    signed = Array(bytes)
                    return signatures
                }
                XCTAssertEqual(signed, encoded, "\(envelope.type): signatures must cover the exact envelope bytes")
                XCTAssertEqual(sealed, try codec.encode(SealedEnvelope(envelope: encoded, signatures: signatures)), "\(envelope.type)")
            }
        }
    }

    func testSingleBufferSealRejectsWhatTheTwoStepPathRejects() {
        XCTAssertThrowsError(try codec.seal(Fixtures.oneKiBTaskResult) { _ in [] }) { error in
            XCTAssertEqual(error as? WireError, .missingRequiredField("signatures"))
        }
        let badKey = Signature(keyID: "a\u{0}b", algorithm: .hmacSHA256, signature: [1])
        XCTAssertThrowsError(try codec.seal(Fixtures.oneKiBTaskResult) { _ in [badKey] }) { error in
            XCTAssertEqual(error as? WireError, .embeddedNUL(field: "signature.key_id"))
        }
        let small = EnvelopeCodec(maxEnvelopeBytes: 100)
        XCTAssertThrowsError(try small.seal(Fixtures.oneKiBTaskResult) { _ in [Fixtures.signature] }) { error in
            guard case .oversize = error as? WireError else { return XCTFail("\(error)") }
        }
    }

    func testZeroCopyDecodeMatchesArrayDecode() throws {
        let bytes = try codec.encode(Fixtures.oneKiBTaskResult)
        let viaPointer = try bytes.withUnsafeBytes { try codec.decode($0) }
        XCTAssertEqual(viaPointer, Fixtures.oneKiBTaskResult)
    }

    func testCausedByKeepsCorrelationAndTrace() {
        let parent = Fixtures.oneKiBTaskResult
        let child = Envelope(causedBy: parent, source: "/mesh/reviewer/r-1",
                             payload: .planStatus(PlanStatus(planID: "p")))
        XCTAssertEqual(child.correlationID, parent.correlationID)
        XCTAssertEqual(child.causationID, parent.id)
        XCTAssertEqual(child.traceparent, parent.traceparent)
        XCTAssertEqual(child.specVersion, "1.0")
        XCTAssertEqual(child.schemaVersion, 1)
        XCTAssertNotEqual(child.id, parent.id)
    }

    func testGeneratedIDsAreUUIDv7() {
        let id = Envelope.makeID()
        let bytes = Array(id.utf8)
        XCTAssertEqual(bytes.count, 36)
        XCTAssertEqual(bytes[14], UInt8(ascii: "7"))
        XCTAssertTrue("89ab".utf8.contains(bytes[19]))
        XCTAssertNotEqual(Envelope.makeID(), id)
    }

    func testGeneratedIDsAreUniqueAndCarryTheCreationTime() {
        let before = UInt64(WallClock.nowUnixMicros() / 1000)
        let ids = (0..<10_000).map { _ in Envelope.makeID() }
        let after = UInt64(WallClock.nowUnixMicros() / 1000)
        XCTAssertEqual(Set(ids).count, ids.count)
        for id in ids.prefix(100) {
            let hex = id.replacingOccurrences(of: "-", with: "")
            let millis = UInt64(hex.prefix(12), radix: 16)!
            XCTAssertTrue((before...after).contains(millis), "\(id) carries \(millis), not in \(before)...\(after)")
            XCTAssertEqual(hex.count, 32)
            XCTAssertTrue(hex.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        }
    }

    func testJSONCodableRoundTrip() throws {
        for envelope in Fixtures.envelopes {
            let json = try JSONEncoder().encode(envelope)
            XCTAssertEqual(try JSONDecoder().decode(Envelope.self, from: json), envelope)
        }
    }
}
