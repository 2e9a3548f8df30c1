import MeshSigning
@testable import MeshTransport
import XCTest

/// The source check every received envelope passes: `/mesh/<role>/<instance>` must name the
/// role (or, for a person, the person) whose key signed it.
final class SourcePathTests: XCTestCase {
    private let coding = VerifiedSigner(keyId: "coding-1", principal: "coding", principalKind: .role, algorithm: .hmacSHA256)
    private let alice = VerifiedSigner(keyId: "alice-1", principal: "alice", principalKind: .person, algorithm: .ed25519)

    func testAcceptsTheSignersOwnSources() {
        XCTAssertNil(SourcePath.mismatch(source: "/mesh/coding/agent-1", signer: coding))
        XCTAssertNil(SourcePath.mismatch(source: "/mesh/coding", signer: coding))
        XCTAssertNil(SourcePath.mismatch(source: "/mesh/coding/agent-1/extra", signer: coding))
        XCTAssertNil(SourcePath.mismatch(source: "/mesh/approver/alice", signer: alice))
        XCTAssertNil(SourcePath.mismatch(source: "/mesh/approver/alice/desk", signer: alice))
    }

    func testNamesWhatIsWrong() {
        XCTAssertEqual(SourcePath.mismatch(source: "/other/coding/1", signer: coding),
                       "source \"/other/coding/1\" is not a mesh source (/mesh/<role>/<instance>)")
        XCTAssertEqual(SourcePath.mismatch(source: "/mesh", signer: coding),
                       "source \"/mesh\" is not a mesh source (/mesh/<role>/<instance>)")
        XCTAssertEqual(SourcePath.mismatch(source: "", signer: coding),
                       "source \"\" is not a mesh source (/mesh/<role>/<instance>)")
        XCTAssertEqual(SourcePath.mismatch(source: "/mesh/reviewer/r-1", signer: coding),
                       "source \"/mesh/reviewer/r-1\" claims role reviewer but is signed by role coding (key coding-1)")
        XCTAssertEqual(SourcePath.mismatch(source: "/mesh/cod/1", signer: coding),
                       "source \"/mesh/cod/1\" claims role cod but is signed by role coding (key coding-1)")
        XCTAssertEqual(SourcePath.mismatch(source: "/mesh/codingx/1", signer: coding),
                       "source \"/mesh/codingx/1\" claims role codingx but is signed by role coding (key coding-1)")
        XCTAssertEqual(SourcePath.mismatch(source: "/mesh/approver/bob", signer: alice),
                       "source \"/mesh/approver/bob\" does not name person alice who signed it (key alice-1)")
        XCTAssertEqual(SourcePath.mismatch(source: "/mesh/approver/alicex", signer: alice),
                       "source \"/mesh/approver/alicex\" does not name person alice who signed it (key alice-1)")
        XCTAssertEqual(SourcePath.mismatch(source: "/mesh//alice", signer: alice),
                       "source \"/mesh//alice\" names no role (/mesh/<role>/<instance>)")
    }

    func testComparesBytesNotCharacters() {
        // "é" precomposed and decomposed are equal Swift Strings but different bytes on the
        // wire; the signer's principal must match the bytes it signed.
        let precomposed = VerifiedSigner(keyId: "k", principal: "caf\u{E9}", principalKind: .role, algorithm: .hmacSHA256)
        XCTAssertNil(SourcePath.mismatch(source: "/mesh/caf\u{E9}/1", signer: precomposed))
        XCTAssertNotNil(SourcePath.mismatch(source: "/mesh/cafe\u{301}/1", signer: precomposed))
    }
}
