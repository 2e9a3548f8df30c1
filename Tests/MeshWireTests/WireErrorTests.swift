import XCTest
import MeshWire

/// One test per `WireError` case, each built from bytes that trigger exactly that case.
final class WireErrorTests: XCTestCase {
    let codec = EnvelopeCodec()

    private func assertDecode(_ bytes: [UInt8], throws expected: WireError,
                              file: StaticString = #filePath, line: UInt = #line) {
        do {
            let value = try codec.decode(bytes)
            XCTFail("decoded \(value) instead of throwing \(expected)", file: file, line: line)
        } catch {
            XCTAssertEqual(error, expected, file: file, line: line)
            XCTAssertFalse(error.description.isEmpty)
        }
    }

    private func assertDecodeSealed(_ bytes: [UInt8], throws expected: WireError,
                                    file: StaticString = #filePath, line: UInt = #line) {
        do {
            let value = try codec.decodeSealed(bytes)
            XCTFail("decoded \(value) instead of throwing \(expected)", file: file, line: line)
        } catch {
            XCTAssertEqual(error, expected, file: file, line: line)
        }
    }

    private var valid: Envelope { Fixtures.oneKiBTaskResult }

    func testOversizeIsCheckedBeforeParsing() {
        let small = EnvelopeCodec(maxEnvelopeBytes: 16)
        // Garbage, so only a pre-parse size check can produce `.oversize`.
        let bytes = [UInt8](repeating: 0xFF, count: 17)
        XCTAssertThrowsError(try small.decode(bytes)) { XCTAssertEqual($0 as? WireError, .oversize(byteCount: 17, limit: 16)) }
        let sealedLimit = 16 + EnvelopeCodec.sealedOverheadBytes
        let big = [UInt8](repeating: 0xFF, count: sealedLimit + 1)
        XCTAssertThrowsError(try small.decodeSealed(big)) {
            XCTAssertEqual($0 as? WireError, .oversize(byteCount: sealedLimit + 1, limit: sealedLimit))
        }
        // Default limit is 1 MiB.
        XCTAssertEqual(codec.maxEnvelopeBytes, 1 << 20)
        assertDecode([UInt8](repeating: 0, count: (1 << 20) + 1), throws: .oversize(byteCount: (1 << 20) + 1, limit: 1 << 20))
    }

    func testEncodeRefusesOversizeEnvelope() throws {
        let small = EnvelopeCodec(maxEnvelopeBytes: 100)
        let size = try codec.encode(valid).count
        XCTAssertThrowsError(try small.encode(valid)) {
            XCTAssertEqual($0 as? WireError, .oversize(byteCount: size, limit: 100))
        }
    }

    func testMalformedProtobuf() {
        // Length-delimited field 1 claims 5 bytes but only 1 follows.
        assertDecode([0x0A, 0x05, 0x41], throws: .malformedProtobuf(message: "Envelope", detail: "protobuf-c unpack failed"))
        // Wrong wire type for a known field (field 1 as varint).
        assertDecode([0x08, 0x01], throws: .malformedProtobuf(message: "Envelope", detail: "protobuf-c unpack failed"))
        assertDecodeSealed([0x12, 0x7F], throws: .malformedProtobuf(message: "SealedEnvelope", detail: "protobuf-c unpack failed"))
    }

    /// Valid envelope bytes with one singular field overridden: protobuf keeps the last
    /// occurrence, so appending a field replaces it without hand-writing the whole message.
    private func envelopeBytes(_ override: (inout ProtoWriter) -> Void) throws -> [UInt8] {
        var w = ProtoWriter(bytes: try codec.encode(valid))
        override(&w)
        return w.bytes
    }

    private func sealedBytes(_ override: (inout ProtoWriter) -> Void) throws -> [UInt8] {
        var w = ProtoWriter(bytes: try codec.encode(Fixtures.sealed[0]))
        override(&w)
        return w.bytes
    }

    func testMissingRequiredFields() throws {
        assertDecode(try envelopeBytes { $0.string(1, "") }, throws: .missingRequiredField("id"))
        assertDecode(try envelopeBytes { $0.string(2, "") }, throws: .missingRequiredField("source"))
        assertDecode(try envelopeBytes { $0.string(3, "") }, throws: .missingRequiredField("spec_version"))
        assertDecode(try envelopeBytes { $0.string(7, "") }, throws: .missingRequiredField("correlation_id"))
        assertDecode(try envelopeBytes { $0.string(4, "") }, throws: .missingRequiredField("type"))
        // An empty input is a valid (all-default) protobuf message, so it reports the first
        // missing field rather than "malformed".
        assertDecode([], throws: .missingRequiredField("id"))
        assertDecode(ProtoWriter.header().bytes, throws: .missingRequiredField("payload"))
    }

    func testUnsupportedSpecVersion() throws {
        assertDecode(try envelopeBytes { $0.string(3, "0.3") }, throws: .unsupportedSpecVersion("0.3"))
    }

    func testUnsupportedSchemaVersion() throws {
        assertDecode(try envelopeBytes { $0.uint(11, 2) }, throws: .unsupportedSchemaVersion(2))
        assertDecode(try envelopeBytes { $0.uint(11, 0) }, throws: .unsupportedSchemaVersion(0))
    }

    func testUnsupportedSealedFormatVersion() throws {
        assertDecodeSealed(try sealedBytes { $0.uint(1, 2) }, throws: .unsupportedSealedFormatVersion(2))
        assertDecodeSealed(try sealedBytes { $0.uint(1, 0) }, throws: .unsupportedSealedFormatVersion(0))
    }

    func testSealedMissingEnvelopeOrSignatures() throws {
        assertDecodeSealed(try sealedBytes { $0.raw(2, []) }, throws: .missingRequiredField("envelope"))
        var unsigned = ProtoWriter()
        unsigned.uint(1, 1)
        unsigned.raw(2, try codec.encode(valid))
        assertDecodeSealed(unsigned.bytes, throws: .missingRequiredField("signatures"))
    }

    /// Producers get the error a consumer would raise, before anything reaches Kafka.
    func testEncodeRefusesWhatDecodeWouldReject() {
        func assertEncode(_ change: (inout Envelope) -> Void, throws expected: WireError, line: UInt = #line) {
            var e = valid
            change(&e)
            XCTAssertThrowsError(try codec.encode(e), line: line) { XCTAssertEqual($0 as? WireError, expected, line: line) }
            XCTAssertThrowsError(try e.validate(), line: line)
        }
        assertEncode({ $0.id = "" }, throws: .missingRequiredField("id"))
        assertEncode({ $0.source = "" }, throws: .missingRequiredField("source"))
        assertEncode({ $0.specVersion = "" }, throws: .missingRequiredField("spec_version"))
        assertEncode({ $0.specVersion = "0.3" }, throws: .unsupportedSpecVersion("0.3"))
        assertEncode({ $0.correlationID = "" }, throws: .missingRequiredField("correlation_id"))
        assertEncode({ $0.schemaVersion = 2 }, throws: .unsupportedSchemaVersion(2))

        func assertEncodeSealed(_ change: (inout SealedEnvelope) -> Void, throws expected: WireError, line: UInt = #line) {
            var s = Fixtures.sealed[0]
            change(&s)
            XCTAssertThrowsError(try codec.encode(s), line: line) { XCTAssertEqual($0 as? WireError, expected, line: line) }
        }
        assertEncodeSealed({ $0.formatVersion = 2 }, throws: .unsupportedSealedFormatVersion(2))
        assertEncodeSealed({ $0.envelope = [] }, throws: .missingRequiredField("envelope"))
        assertEncodeSealed({ $0.signatures = [] }, throws: .missingRequiredField("signatures"))
    }

    func testTypeMismatch() throws {
        // Protobuf keeps the last occurrence of a singular field, so appending field 4
        // overrides `type` while the payload stays a TaskResult.
        var w = ProtoWriter(bytes: try codec.encode(valid))
        w.string(4, PayloadKind.verdict.rawValue)
        assertDecode(w.bytes, throws: .typeMismatch(type: "agentmesh.verdict.v1", payloadKind: .taskResult))
        var unknownType = ProtoWriter(bytes: try codec.encode(valid))
        unknownType.string(4, "com.example.other")
        assertDecode(unknownType.bytes, throws: .typeMismatch(type: "com.example.other", payloadKind: .taskResult))
    }

    func testUnknownPayloadFromNewerProducer() {
        var w = ProtoWriter.header()
        w.raw(40, [0x0A, 0x01, 0x78])
        assertDecode(w.bytes, throws: .unknownPayload(fieldNumber: 40))
    }

    func testInvalidUTF8NamesTheField() throws {
        var header = ProtoWriter(bytes: try codec.encode(valid))
        header.raw(2, [0x2F, 0xC3, 0x28])
        assertDecode(header.bytes, throws: .invalidUTF8(field: "source"))

        // Nested: an artifact name inside the TaskResult payload (field 27, artifacts = 6).
        var artifact = ProtoWriter()
        artifact.raw(1, [0xFF, 0xFE])
        var result = ProtoWriter()
        result.string(1, "t")
        result.raw(6, artifact.bytes)
        var w = ProtoWriter.header(type: PayloadKind.taskResult.rawValue)
        w.raw(27, result.bytes)
        assertDecode(w.bytes, throws: .invalidUTF8(field: "artifact.name"))

        var signature = ProtoWriter()
        signature.raw(1, [0xED, 0xA0, 0x80])  // encoded surrogate: invalid in UTF-8
        var sealed = ProtoWriter()
        sealed.uint(1, 1)
        sealed.raw(2, [0x0A, 0x01, 0x41])
        sealed.raw(3, signature.bytes)
        assertDecodeSealed(sealed.bytes, throws: .invalidUTF8(field: "signature.key_id"))
    }

    func testEmbeddedNULIsRefusedOnEncode() {
        var e = valid
        e.subject = "a\u{0}b"
        XCTAssertThrowsError(try codec.encode(e)) { XCTAssertEqual($0 as? WireError, .embeddedNUL(field: "subject")) }
        let verdict = Envelope(source: "s", correlationID: "c", payload: .verdict(Verdict(
            taskID: "t", planID: "p", kind: .review, decision: .approve, resultEnvelopeID: "r",
            decidedByRules: ["ok", "\u{0}"], reviewerID: "r")))
        XCTAssertThrowsError(try codec.encode(verdict)) {
            XCTAssertEqual($0 as? WireError, .embeddedNUL(field: "verdict.decided_by_rules"))
        }
        var sealed = Fixtures.sealed[0]
        sealed.signatures[0].keyID = "\u{0}"
        XCTAssertThrowsError(try codec.encode(sealed)) {
            XCTAssertEqual($0 as? WireError, .embeddedNUL(field: "signature.key_id"))
        }
    }

    func testDescriptionsSayWhatToDo() {
        let errors: [WireError] = [
            .oversize(byteCount: 2, limit: 1), .malformedProtobuf(message: "Envelope", detail: "x"),
            .missingRequiredField("id"), .unsupportedSpecVersion("0.3"), .unsupportedSchemaVersion(2),
            .unsupportedSealedFormatVersion(2), .unknownPayload(fieldNumber: 40),
            .typeMismatch(type: "a", payloadKind: .verdict), .invalidUTF8(field: "source"), .embeddedNUL(field: "subject"),
        ]
        for error in errors {
            XCTAssertTrue(["dead-letter", "upgrade", "must", "fix", "remove", "raise"].contains { error.description.contains($0) },
                          "\(error) gives no advice")
        }
    }
}

/// Decoding refuses U+0000 in any string, symmetric with encoding: protobuf-c would hand the
/// string over cut at the NUL, so "Visible\0hidden" would display as "Visible".
final class EmbeddedNULDecodeTests: XCTestCase {
    let codec = EnvelopeCodec()

    private func objective(title: [UInt8], parameterKey: [UInt8] = Array("k".utf8)) -> [UInt8] {
        var parameter = ProtoWriter()
        parameter.raw(1, parameterKey)
        parameter.string(2, "v")
        var submitted = ProtoWriter()
        submitted.string(1, "corr-1")
        submitted.raw(2, title)
        submitted.raw(6, parameter.bytes)
        var w = ProtoWriter.header(type: PayloadKind.objectiveSubmitted.rawValue)
        w.raw(20, submitted.bytes)
        return w.bytes
    }

    func testTheSameBytesWithoutNULDecode() throws {
        let envelope = try codec.decode(objective(title: Array("Visible hidden".utf8)))
        guard case .objectiveSubmitted(let submitted) = envelope.payload else { return XCTFail("\(envelope.payload)") }
        XCTAssertEqual(submitted.title, "Visible hidden")
    }

    func testNULInAPayloadStringIsRefusedNamingTheField() {
        XCTAssertThrowsError(try codec.decode(objective(title: Array("Visible\u{0}hidden".utf8)))) {
            XCTAssertEqual($0 as? WireError, .embeddedNUL(field: "objective_submitted.title"))
        }
    }

    func testNULInANestedMessageIsRefused() {
        XCTAssertThrowsError(try codec.decode(objective(title: Array("t".utf8), parameterKey: [0x61, 0, 0x62]))) {
            XCTAssertEqual($0 as? WireError, .embeddedNUL(field: "objective_submitted.parameters.key"))
        }
    }

    func testNULInAnEnvelopeHeaderIsRefused() {
        var w = ProtoWriter()
        w.string(1, "id-1\u{0}other")
        w.string(2, "/mesh/test")
        w.string(3, "1.0")
        w.string(4, PayloadKind.agentHeartbeat.rawValue)
        w.string(7, "corr-1")
        w.uint(11, 1)
        w.raw(31, [])
        XCTAssertThrowsError(try codec.decode(w.bytes)) { XCTAssertEqual($0 as? WireError, .embeddedNUL(field: "id")) }
    }

    func testNULInASealedKeyIDIsRefused() {
        var signature = ProtoWriter()
        signature.raw(1, [0x6B, 0x00, 0x31])
        var sealed = ProtoWriter()
        sealed.uint(1, 1)
        sealed.raw(2, [0x0A, 0x01, 0x41])
        sealed.raw(3, signature.bytes)
        XCTAssertThrowsError(try codec.decodeSealed(sealed.bytes)) {
            XCTAssertEqual($0 as? WireError, .embeddedNUL(field: "signatures.key_id"))
        }
    }

    /// Zero bytes inside bytes fields are data, not truncation: they must still decode.
    func testZerosInBytesFieldsAreKept() throws {
        let envelope = Fixtures.envelope(Fixtures.payloads[13])  // snapshot state ends in 0, 255
        XCTAssertEqual(try codec.decode(try codec.encode(envelope)), envelope)
    }
}

/// The objective id is the correlation id (Proto/CONTRACT.md): ObjectiveSubmitted,
/// ObjectiveCancelRequested and PlanCreated naming another objective are refused on both sides.
final class ObjectiveCorrelationTests: XCTestCase {
    let codec = EnvelopeCodec()

    private let mismatched: [(Payload, String)] = [
        (.objectiveSubmitted(ObjectiveSubmitted(objectiveID: "obj-2", title: "t", playbook: "p", submittedBy: "u")),
         "objective_submitted.objective_id"),
        (.objectiveCancelRequested(ObjectiveCancelRequested(objectiveID: "obj-2", requestedBy: "u")),
         "objective_cancel_requested.objective_id"),
        (.planCreated(PlanCreated(planID: "plan-1", objectiveID: "obj-2", playbook: "p")), "plan_created.objective_id"),
    ]

    func testEncodeRefusesAnObjectiveIDOtherThanTheCorrelationID() {
        for (payload, field) in mismatched {
            let envelope = Envelope(source: "/mesh/orchestrator/o-1", correlationID: "obj-1", payload: payload)
            XCTAssertThrowsError(try codec.encode(envelope)) {
                XCTAssertEqual($0 as? WireError, .objectiveMismatch(field: field, objectiveID: "obj-2", correlationID: "obj-1"))
            }
        }
    }

    /// Bytes a foreign producer could send: built by hand, since our encoder refuses them.
    func testDecodeRefusesAPlanCreatedForAnotherObjective() {
        var created = ProtoWriter()
        created.string(1, "plan-1")
        created.string(2, "obj-2")
        var w = ProtoWriter.header(type: PayloadKind.planCreated.rawValue)  // correlation "corr-1"
        w.raw(22, created.bytes)
        XCTAssertThrowsError(try codec.decode(w.bytes)) {
            XCTAssertEqual($0 as? WireError,
                           .objectiveMismatch(field: "plan_created.objective_id", objectiveID: "obj-2", correlationID: "corr-1"))
        }
        var same = ProtoWriter()
        same.string(1, "plan-1")
        same.string(2, "corr-1")
        var ok = ProtoWriter.header(type: PayloadKind.planCreated.rawValue)
        ok.raw(22, same.bytes)
        XCTAssertNoThrow(try codec.decode(ok.bytes))
    }

    func testOtherPayloadsNamingAnObjectiveAreNotTied() throws {
        // A redrive's ReplayRequested names no objective; its correlation is the operation's own.
        let replay = Envelope(source: "/mesh/meshctl/op", correlationID: "redrive-1", payload: .replayRequested(
            ReplayRequested(replayID: "r", objectiveID: "", requestedBy: "op", mode: "redrive")))
        XCTAssertEqual(try codec.decode(try codec.encode(replay)), replay)
    }
}
