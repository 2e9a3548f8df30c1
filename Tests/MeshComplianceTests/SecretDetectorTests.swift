import XCTest
@testable import MeshCompliance

/// Synthetic credentials assembled at run time so the source never holds a complete token.
enum Fake {
    static let awsKeyId = "AKIA" + "Z2XQ7LMN3PQRS4TU"
    static let awsSecret = "k9Xv2Lq8Rt" + "5Wn3Zp7Yb4" + "Hc6Jd1Mf0G" + "s/Ta+Ue2Vi"
    /// A classic token whose last six characters are the base62 CRC32 of the thirty before them,
    /// as GitHub issues them (computed with zlib's crc32).
    static let github = "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"
    static let githubPat = "github_pat_" + String(repeating: "A1b2C3_d4E", count: 8) + "xy"
    static let slack = "xoxb-" + "1234567890-0987654321-" + "AbCdEfGhIjKlMnOpQrStUvWx"
    static let google = "AIza" + "SyA1b2C3d4E5f6G7h8I9j0K_L-m3n4o5p6q"
    static let jwt = "eyJhbGciOiJIUzI1NiJ9" + "." + "eyJzdWIiOiJ0ZXN0In0" + "." + "c2lnbmF0dXJlLWJ5dGVzLWFyZS1oZXJl"
    static let pemBody = String(repeating: "MIIEpAIBAAKCAQEAw7Zk3Xq9", count: 4)
}

final class TokenDetectorTests: XCTestCase {
    func testAWSAccessKeyId() {
        let d = PrefixedTokenDetector.awsAccessKeyId
        XCTAssertEqual(spots(d, "key = \(Fake.awsKeyId)\n\"ASIA\("Y7WQ3ZLKM2NPQRS5")\""), ["1:7:\(Fake.awsKeyId)", "2:2:ASIAY7WQ3ZLKM2NPQRS5"])
        XCTAssertEqual(masks(d, Fake.awsKeyId), ["AKIA… (20 chars)"])
        // The documented example key matches the shape; the pack allow-list suppresses it.
        XCTAssertEqual(found(d, "AKIAIOSFODNN7EXAMPLE"), ["AKIAIOSFODNN7EXAMPLE"])
        assertNone(d, [
            "AKIA0123456789ABCDEF",  // 0,1,8,9 are not base32
            "AKIAZ2XQ7LMN3PQRS4T",  // too short
            "AKIAZ2XQ7LMN3PQRS4TUV",  // too long
            "xAKIAZ2XQ7LMN3PQRS4TU", "akiaz2xq7lmn3pqrs4tu",
        ])
    }

    func testGitHubTokens() {
        let d = PrefixedTokenDetector.github
        XCTAssertEqual(found(d, "token: \(Fake.github) and \(Fake.githubPat)"), [Fake.github, Fake.githubPat])
        XCTAssertEqual(masks(d, Fake.github), ["ghp_… (40 chars)"])
        assertNone(d, ["ghp_short", "ghp_" + String(repeating: "a", count: 37), "ghx_" + String(repeating: "a", count: 36), "my_ghp_" + String(repeating: "a", count: 36)])
    }

    func testSlackAndGoogle() {
        XCTAssertEqual(spots(PrefixedTokenDetector.slack, "SLACK=\(Fake.slack)"), ["1:7:\(Fake.slack)"])
        assertNone(PrefixedTokenDetector.slack, ["xoxb-", "xoxb-123", "xoxz-1234567890-abc"])
        XCTAssertEqual(spots(PrefixedTokenDetector.googleAPIKey, "k='\(Fake.google)'"), ["1:4:\(Fake.google)"])
        assertNone(PrefixedTokenDetector.googleAPIKey, ["AIzaShort", "AIza" + String(repeating: "b", count: 36), "AIZA" + String(repeating: "b", count: 35)])
    }

    func testJWT() {
        let d = JWTDetector()
        XCTAssertEqual(spots(d, "Authorization: Bearer \(Fake.jwt)"), ["1:23:\(Fake.jwt)"])
        XCTAssertEqual(masks(d, Fake.jwt).first?.hasPrefix("eyJ…"), true)
        assertNone(d, [
            "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",  // unsigned
            "eyJhbGciOiJIUzI1NiJ9.payload-not-json.c2lnbmF0dXJlLWJ5dGVz",  // payload not eyJ
            "eyJhbGciOiJIUzI1NiJ9",  // header only
        ])
    }
}

final class PrivateKeyDetectorTests: XCTestCase {
    let d = PrivateKeyDetector()

    func testBlocksWithBody() {
        for kind in ["RSA ", "EC ", "OPENSSH ", "", "ENCRYPTED "] {
            let text = "x\n-----BEGIN \(kind)PRIVATE KEY-----\n\(Fake.pemBody)\n-----END \(kind)PRIVATE KEY-----\n"
            XCTAssertEqual(spots(d, text), ["2:1:-----BEGIN \(kind)PRIVATE KEY-----"], kind)
        }
        let pgp = "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n\(Fake.pemBody)\n-----END PGP PRIVATE KEY BLOCK-----"
        XCTAssertEqual(found(d, pgp).count, 1)
        XCTAssertEqual(masks(d, pgp), ["-----BEGIN PGP PRIVATE KEY BLOCK----- [key material withheld]"])
        XCTAssertFalse(masks(d, pgp)[0].contains("MIIE"))
    }

    func testNearMisses() {
        assertNone(d, [
            "Paste your key after -----BEGIN RSA PRIVATE KEY----- in the form.",  // header only
            "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----",
            "-----BEGIN PUBLIC KEY-----\n\(Fake.pemBody)\n-----END PUBLIC KEY-----",
            "-----BEGIN CERTIFICATE-----\n\(Fake.pemBody)\n-----END CERTIFICATE-----",
        ])
        XCTAssertEqual(found(PrivateKeyDetector(requireBody: false), "-----BEGIN RSA PRIVATE KEY-----").count, 1)
    }
}

final class AssignmentSecretDetectorTests: XCTestCase {
    let generic = AssignmentSecretDetector(keys: ["password", "secret", "api_key", "client_secret"], kind: "hard-coded secret")
    let withEntropy = AssignmentSecretDetector(
        keys: ["password", "api_key"], kind: "hard-coded secret",
        entropyKeys: ["token", "key", "credential", "signature"], minEntropy: 3.5, entropyMinLength: 20)

    /// Values under keys that only suggest a secret count when they look random.
    func testHighEntropyValuesUnderSecretLikeKeys() {
        let text = """
        session_token = "kP9xQ2mZ7vR4tW8yB3nC6fH1"
        SIGNING_KEY=Xq7Lm2Rt9Vb4Nz8Kp3Wd6Hs1Jf5Gc0
        "hmacCredential": "4f9a0c3e7b21d8e65a1f0c9b3d7e2a48",
        """
        XCTAssertEqual(spots(withEntropy, text),
                       ["1:18:kP9xQ2mZ7vR4tW8yB3nC6fH1", "2:13:Xq7Lm2Rt9Vb4Nz8Kp3Wd6Hs1Jf5Gc0", "3:20:4f9a0c3e7b21d8e65a1f0c9b3d7e2a48"])
        XCTAssertEqual(withEntropy.matches(in: "token: kP9xQ2mZ7vR4tW8yB3nC6fH1").map(\.kind), ["high-entropy value under a secret-like key"])
        // A password key keeps its own, looser test.
        XCTAssertEqual(found(withEntropy, "password = \"hunter2hunter2\""), ["hunter2hunter2"])
    }

    func testReadableIdsHashesUnderOtherKeysAndPlaceholdersAreNotSecrets() {
        assertNone(withEntropy, [
            "cache_token = \"user-profile-12345-abcdef\"",        // readable: few class changes
            "build_key: v1-build-2024-release-candidate7",        // readable
            "idempotency_key: 3f2a9c1e-7b4d-4e2a-9c1f-0a8b7c6d5e4f",  // an id
            "request_token = 3f2a9c1e-7b4d-4e2a-9c1f-0a8b7c6d5e4f",   // a UUID is an id
            "public_key: MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8pQ",  // meant to be seen
            "sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",  // not a secret key
            "commit = 9fceb02d0ae598e95dc970b74767f19372d61af8",
            "token = \"your-token-goes-here-1234567\"",             // placeholder marker
            "token: ${SESSION_TOKEN_FROM_VAULT_2024}",
            "api_token = short1A",                                  // too short
            "refresh_token = aaaa1111bbbb2222cccc3333",             // low entropy
            "signature: 0123456789abcdef0123",                      // hex under 32 characters
        ])
    }

    func testAssignments() {
        let text = """
        let password = "Tr0ub4dor&3x"
        DB_PASSWORD=hunter2hunter2
          "client_secret": "9f8e7d6c5b4a3210ffee",
        api_key => 'Zk29_aQ81mPx'
        """
        XCTAssertEqual(spots(generic, text), ["1:17:Tr0ub4dor&3x", "2:13:hunter2hunter2", "3:21:9f8e7d6c5b4a3210ffee", "4:13:Zk29_aQ81mPx"])
        XCTAssertEqual(masks(generic, "password=hunter2hunter2"), ["******** (14 chars)"])
    }

    func testNearMisses() {
        assertNone(generic, [
            "password = \"changeme123\"",  // placeholder
            "password = os.environ[\"DB_PASSWORD\"]",
            "password = getenv(\"PW\")",
            "if password == \"Tr0ub4dor&3x\" {",  // comparison
            "var password: String",  // type annotation
            "password = \"short1\"",  // too short
            "password = \"aaaaaaaaaaaa\"",  // too few distinct characters
            "password = \"abcdefghijkl\"",  // one character class
            "password: ${DB_PASSWORD}",
            "password = \"<your password>\"",
            "password_hash = \"Tr0ub4dor&3x\"",  // key does not end in a secret name
        ])
    }

    func testAWSSecretInAssignmentContext() throws {
        var p = DetectorParameters()
        guard case .text(let d)? = try DetectorRegistry.standard.make("aws_secret_access_key", &p) else { return XCTFail() }
        XCTAssertEqual(found(d, "aws_secret_access_key = \(Fake.awsSecret)"), [Fake.awsSecret])
        XCTAssertEqual(found(d, "AWS_SECRET_ACCESS_KEY: \"\(Fake.awsSecret)\""), [Fake.awsSecret])
        XCTAssertEqual(d.matches(in: "aws_secret_access_key=\(Fake.awsSecret)").map(\.masked), ["… (40 chars)"])
        XCTAssertEqual(found(d, "secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), ["wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"])
        let neg = [
            Fake.awsSecret,  // no assignment context
            "aws_secret_access_key = \(Fake.awsSecret.dropLast())",  // 39 chars
            "aws_secret_access_key = \(Fake.awsSecret)x",  // 41 chars
            "other_key = \(Fake.awsSecret)",
        ]
        for n in neg { XCTAssertEqual(found(d, n), [], n) }
    }
}
