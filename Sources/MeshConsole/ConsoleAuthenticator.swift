import Foundation
import Hummingbird

/// Who is asking: the session cookie opened and checked against the users file, with the
/// renewed cookie (idle timeout counts from the last request) to send back.
struct ConsoleAuthenticator: Sendable {
    let users: UsersFile
    let sealer: SessionSealer
    let secureCookies: Bool

    struct Caller {
        let user: ConsoleUser
        let session: ConsoleSession
        let renewedCookie: String
    }

    func caller(_ request: Request, now: Int64) -> Caller? {
        guard let value = request.cookies[SessionSealer.cookieName]?.value,
              let session = sealer.open(value, now: now), let user = users.user(session.user) else { return nil }
        var renewed = session
        renewed.lastSeen = now
        return Caller(user: user, session: renewed, renewedCookie: cookie(SessionSealer.cookieName, sealer.seal(renewed)))
    }

    /// HttpOnly (no script reads it), SameSite=Strict (no cross-site request carries it), Secure
    /// unless the console is served over plain http for local use (`--insecure-cookies`).
    func cookie(_ name: String, _ value: String, maxAge: Int64? = nil) -> String {
        var text = "\(name)=\(value); Path=/; HttpOnly; SameSite=Strict"
        if secureCookies { text += "; Secure" }
        text += "; Max-Age=\(maxAge ?? sealer.idleTimeout)"
        return text
    }

    func expired(_ name: String) -> String { cookie(name, "", maxAge: 0) }
}
