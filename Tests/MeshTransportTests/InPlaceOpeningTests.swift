import MeshSigning
@testable import MeshTransport
import MeshWire
import XCTest

/// `EnvelopeOpener.open` reads the sealed framing in place. Against the straightforward
/// reading (decode the framing into arrays, verify with the general trust-store rules, decode
/// the copied envelope), every input must get the same verdict and the same bytes.
final class InPlaceOpeningTests: XCTestCase {
    private let codec = EnvelopeCodec()

    /// The reading `open` replaced, up to the source and derived-id checks.
    private func reference(_ bytes: [UInt8], trust: TrustStore) -> Result<(Envelope, VerifiedSigner, [UInt8]), EnvelopeRejection> {
        let sealed: SealedEnvelope
        do { sealed = try codec.decodeSealed(bytes) } catch { return .failure(EnvelopeRejection(error)) }
        var values: [SignatureValue] = []
        for signature in sealed.signatures {
            guard let algorithm = signature.algorithm.signingAlgorithm else {
                return .failure(EnvelopeRejection(
                    .badSignature, "key \(signature.keyID): signature algorithm \(signature.algorithm) is not supported"))
            }
            values.append(SignatureValue(keyId: signature.keyID, algorithm: algorithm, bytes: signature.signature))
        }
        let signer: VerifiedSigner
        do {
            signer = try trust.verify(sealed.envelope, signatures: values)
        } catch let error as SigningError {
            return .failure(EnvelopeRejection(error))
        } catch {
            return .failure(EnvelopeRejection(.badSignature, "\(error)"))
        }
        do { return .success((try codec.decode(sealed.envelope), signer, sealed.envelope)) } catch {
            return .failure(EnvelopeRejection(error))
        }
    }

    private func assertSameVerdict(_ bytes: [UInt8], _ opener: EnvelopeOpener, _ label: String) {
        switch (reference(bytes, trust: opener.trust), opener.open(bytes)) {
        case (.success(let (envelope, signer, inner)), .success(let opened)):
            XCTAssertEqual(opened.envelope, envelope, label)
            XCTAssertEqual(opened.signer, signer, label)
            XCTAssertEqual(opened.envelopeBytes, inner, label)
            XCTAssertEqual(opened.sealedBytes, bytes, label)
        case (.failure(let expected), .failure(let actual)):
            XCTAssertEqual(actual.reason, expected.reason, label)
            XCTAssertEqual(actual.detail, expected.detail, label)
        case (.success, .failure(let actual)):
            // Only the checks after decoding, which the reference leaves out, may refuse more.
            XCTAssertTrue([.sourceMismatch, .badDerivedID].contains(actual.reason), "\(label): \(actual)")
        case (.failure(let expected), .success):
            XCTFail("\(label): opened what the reference refuses (\(expected))")
        }
    }

    func testSameVerdictAsTheCopyingReadingForMutatedSealedBytes() throws {
        for algorithm in SigningAlgorithm.allCases {
            let ring = try TestKeyRing(algorithm: algorithm)
            let opener = try ring.opener()
            let sealed = try ring.sealer("coding").seal(sampleResult(size: 600))
            assertSameVerdict(sealed, opener, "\(algorithm) intact")
            var state: UInt64 = 0x0BE7_5EED
            for index in 0..<(algorithm == .ed25519 ? 300 : 1_500) {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                var mutated = sealed
                let at = Int(state >> 33) % mutated.count
                switch index % 3 {
                case 0: mutated[at] ^= UInt8(truncatingIfNeeded: state >> 13) | 1
                case 1: mutated.removeSubrange(at..<min(mutated.count, at + 1 + Int(state >> 60)))
                default: mutated.insert(UInt8(truncatingIfNeeded: state >> 21), at: at)
                }
                assertSameVerdict(mutated, opener, "\(algorithm) mutation \(index) at \(at)")
            }
        }
    }

    func testCoSignedEnvelopesFollowTheGeneralRules() throws {
        let ring = try TestKeyRing()
        let opener = try ring.opener()
        let inner = try codec.encode(sampleResult())
        let coding = try KeyRingStore.loadSigner(principal: "coding", from: ring.directory)
        let reviewer = try KeyRingStore.loadSigner(principal: "reviewer", from: ring.directory)
        func sealed(_ signatures: [Signature]) throws -> [UInt8] {
            try codec.encode(SealedEnvelope(envelope: inner, signatures: signatures))
        }
        let good = Signature(coding.sign(inner))
        let unknown = Signature(keyID: "coding-not-yet-distributed", algorithm: .hmacSHA256, signature: good.signature)
        let unsupported = Signature(keyID: good.keyID, algorithm: .unrecognized(9), signature: good.signature)
        var forged = Signature(reviewer.sign(inner))
        forged.signature[0] ^= 1
        let cases: [(String, [Signature])] = [
            ("unknown then good", [unknown, good]), ("good then unknown", [good, unknown]),
            ("good and forged", [good, forged]), ("only unknown", [unknown]), ("unsupported", [good, unsupported]),
        ]
        for (name, signatures) in cases { assertSameVerdict(try sealed(signatures), opener, name) }
        XCTAssertEqual(try opener.open(try sealed([unknown, good])).get().signer.principal, "coding")
        guard case .failure(let rejection) = opener.open(try sealed([good, forged])) else { return XCTFail("forged co-signature opened") }
        XCTAssertEqual(rejection.reason, .badSignature)
    }
}
