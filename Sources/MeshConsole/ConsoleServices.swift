import Foundation
import Hummingbird
import Logging
import MeshSigning

/// What every route needs, built once by `mesh-console serve`.
public struct ConsoleServices: Sendable {
    let authenticator: ConsoleAuthenticator
    let throttle: LoginThrottle
    let feed: MeshFeed
    let signing: SigningDesk
    let objectives: ObjectiveDesk
    let operations: OperationsLog
    let logger: Logger
    /// Checked against when a sign-in names nobody in the users file (see `ConsolePages.login`).
    let unknownUserHash: PasswordHash

    public init(users: UsersFile, sealer: SessionSealer, secureCookies: Bool, throttle: LoginThrottle, feed: MeshFeed,
                signing: SigningDesk, objectives: ObjectiveDesk, operations: OperationsLog, logger: Logger) throws {
        authenticator = ConsoleAuthenticator(users: users, sealer: sealer, secureCookies: secureCookies)
        self.throttle = throttle
        self.feed = feed
        self.signing = signing
        self.objectives = objectives
        self.operations = operations
        self.logger = logger
        unknownUserHash = try PasswordHash.make(Hex.encode(try SecureRandom.bytes(count: 16)))
    }

    var users: UsersFile { authenticator.users }

    static var now: Int64 { Int64(Date().timeIntervalSince1970) }

    /// Records an operation; a console that cannot write its audit record refuses the action
    /// rather than letting it go unrecorded.
    func record(_ action: OperationsLog.Action, person: String, reason: String) async throws {
        try await operations.record(action, person: person, reason: reason)
    }

    /// Builds the router: pages, live events and the JSON API.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/healthz") { _, _ in "ok" }
        ConsolePages(services: self).add(to: router)
        ConsoleAPI(services: self).add(to: router)
        return router
    }
}
