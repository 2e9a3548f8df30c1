import Foundation
import MeshSigning

/// A signed-in person's session, carried in the cookie itself and authenticated with HMAC,
/// so any replica behind a load balancer (sharing `--session-secret`) accepts it without a
/// shared store. `lastSeen` is renewed on each request, which is what the idle timeout reads.
public struct ConsoleSession: Sendable, Hashable {
    public var user: String
    public var lastSeen: Int64
    /// The CSRF token every form and API write must echo (synchroniser token, per session).
    public var csrf: String

    public init(user: String, lastSeen: Int64, csrf: String) {
        self.user = user
        self.lastSeen = lastSeen
        self.csrf = csrf
    }
}

/// Seals and opens session cookies.
public struct SessionSealer: Sendable {
    public static let cookieName = "mesh_session"
    private let key: HMACSHA256Key
    /// Seconds without a request after which a session is no longer accepted.
    public let idleTimeout: Int64

    public init(secret: [UInt8], idleTimeout: Int64) throws {
        key = try HMACSHA256Key(secret: secret)
        self.idleTimeout = idleTimeout
    }

    public static func newCSRFToken() throws -> String { Hex.encode(try SecureRandom.bytes(count: 16)) }

    /// `<user hex>.<lastSeen>.<csrf>.<mac hex>`; the user name is hex so no separator can hide in it.
    public func seal(_ session: ConsoleSession) -> String {
        let body = "\(Hex.encode(Array(session.user.utf8))).\(session.lastSeen).\(session.csrf)"
        return body + "." + Hex.encode(key.authenticationCode(for: Array(body.utf8)))
    }

    /// The session in `cookie` if it is authentic and not idle past the timeout at `now` (seconds).
    public func open(_ cookie: String, now: Int64) -> ConsoleSession? {
        let parts = cookie.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, let mac = Hex.decode(String(parts[3])) else { return nil }
        let body = parts[0..<3].joined(separator: ".")
        guard key.isValidAuthenticationCode(mac, for: Array(body.utf8)),
              let userBytes = Hex.decode(String(parts[0])), let lastSeen = Int64(parts[1]),
              now - lastSeen <= idleTimeout, now >= lastSeen - 60 else { return nil }
        return ConsoleSession(user: String(decoding: userBytes, as: UTF8.self), lastSeen: lastSeen, csrf: String(parts[2]))
    }
}
