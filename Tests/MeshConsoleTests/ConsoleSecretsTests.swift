import MeshConsole
import MeshSigning
import XCTest

/// Password hashes, sealed keys and session cookies: the console's secrets at rest and in transit.
final class ConsoleSecretsTests: XCTestCase {
    /// Cheap parameters keep the suite fast; the production default is checked separately.
    let fast = ScryptParameters(logN: 10, r: 8, p: 1)

    func testAPasswordHashAcceptsOnlyItsPassword() throws {
        let hash = try PasswordHash.make("correct horse", parameters: fast)
        XCTAssertTrue(try hash.verify("correct horse"))
        XCTAssertFalse(try hash.verify("correct hors"))
        XCTAssertNotEqual(hash, try PasswordHash.make("correct horse", parameters: fast), "each hash has its own salt")
        XCTAssertTrue(hash.encoded.hasPrefix("scrypt$10$8$1$"))
    }

    func testScryptMatchesRFC7914Vector() throws {
        // RFC 7914 section 12, second vector: P="password", S="NaCl", N=1024, r=8, p=16.
        let derived = try ScryptParameters(logN: 10, r: 8, p: 16).derive(password: "password", salt: Array("NaCl".utf8), length: 64)
        XCTAssertEqual(Hex.encode(derived).prefix(32), "fdbabe1c9d3472007856e7190d01e9fe")
    }

    func testASealedKeyOpensOnlyWithThePasswordAndDetectsTampering() throws {
        let seed = try SecureRandom.bytes(count: 32)
        let sealed = try SealedSigningKey.seal(seed, keyId: "alice-1", password: "pass phrase", parameters: fast)
        XCTAssertEqual(try sealed.withSeed(password: "pass phrase") { $0 }, seed)
        XCTAssertThrowsError(try sealed.withSeed(password: "pass phrasE") { $0 }) {
            XCTAssertEqual($0 as? ConsoleCryptoError, .wrongPassword)
        }
        var altered = sealed
        var cipher = Array(Data(base64Encoded: sealed.ciphertext)!)
        cipher[0] ^= 1
        altered.ciphertext = Data(cipher).base64EncodedString()
        XCTAssertThrowsError(try altered.withSeed(password: "pass phrase") { $0 })
        XCTAssertFalse(sealed.ciphertext.contains(Data(seed).base64EncodedString()))
    }

    func testSessionCookiesAreAuthenticAndEndAfterIdleTime() throws {
        let sealer = try SessionSealer(secret: Array(repeating: 7, count: 32), idleTimeout: 600)
        let session = ConsoleSession(user: "alice", lastSeen: 1_000, csrf: "abc")
        let cookie = sealer.seal(session)
        XCTAssertEqual(sealer.open(cookie, now: 1_500), session)
        XCTAssertNil(sealer.open(cookie, now: 1_601), "idle past the timeout")
        let other = try SessionSealer(secret: Array(repeating: 8, count: 32), idleTimeout: 600)
        XCTAssertNil(other.open(cookie, now: 1_100), "another secret")
        let forged = sealer.seal(ConsoleSession(user: "bob", lastSeen: 1_000, csrf: "abc"))
            .split(separator: ".")[0] + "." + cookie.split(separator: ".").dropFirst().joined(separator: ".")
        XCTAssertNil(sealer.open(String(forged), now: 1_100), "a changed user name breaks the MAC")
    }

    func testLoginThrottleLocksAfterTheLimitAndUnlocksLater() {
        let throttle = LoginThrottle(maxFailures: 3, lockout: 60)
        XCTAssertEqual(throttle.failed("bob", now: 0), .allowed)
        XCTAssertEqual(throttle.failed("bob", now: 1), .allowed)
        XCTAssertEqual(throttle.failed("bob", now: 2), .locked(untilUnixSeconds: 62))
        XCTAssertEqual(throttle.check("bob", now: 61), .locked(untilUnixSeconds: 62))
        XCTAssertEqual(throttle.check("alice", now: 3), .allowed)
        XCTAssertEqual(throttle.check("bob", now: 62), .allowed)
    }

    func testHTMLEscapingLeavesNoMarkup() {
        XCTAssertEqual(HTML.escape("<script>alert('x')</script>&\""),
                       "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;")
    }
}
