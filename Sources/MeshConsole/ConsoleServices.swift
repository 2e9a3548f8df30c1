import Foundation
import Hummingbird
import Logging
import MeshAudit
import MeshSigning

/// What every route needs, built once by `mesh-console serve`.
public struct ConsoleServices: Sendable {
    let authenticator: ConsoleAuthenticator
    let throttle: LoginThrottle
    let feed: MeshFeed
    let signing: SigningDesk
    let objectives: ObjectiveDesk
    let operations: OperationsLog
    let audit: AuditView
    let fleet: FleetDesk
    let tokens: APITokenBook
    let ruleClasses: RuleClasses
    let logger: Logger
    /// Checked against when a sign-in names nobody in the users file (see `ConsolePages.login`).
    let unknownUserHash: PasswordHash

    public init(users: UsersFile, sealer: SessionSealer, secureCookies: Bool, throttle: LoginThrottle, feed: MeshFeed,
                signing: SigningDesk, objectives: ObjectiveDesk, operations: OperationsLog, audit: AuditView, fleet: FleetDesk,
                tokens: APITokenBook, ruleClasses: RuleClasses, logger: Logger) throws {
        authenticator = ConsoleAuthenticator(users: users, sealer: sealer, secureCookies: secureCookies)
        self.throttle = throttle
        self.feed = feed
        self.signing = signing
        self.objectives = objectives
        self.operations = operations
        self.audit = audit
        self.fleet = fleet
        self.tokens = tokens
        self.ruleClasses = ruleClasses
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
        // Probes: alive while it answers; ready once it has read the mesh from Kafka.
        router.get("/healthz") { _, _ in "ok" }
        router.get("/livez") { _, _ in "ok" }
        router.get("/readyz") { _, _ in
            await feed.isReady ? Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ready")))
                : Response(status: .serviceUnavailable, body: .init(byteBuffer: ByteBuffer(string: "the mesh has not been read yet")))
        }
        ConsolePages(services: self).add(to: router)
        ConsoleAPI(services: self).add(to: router)
        FleetRoutes(services: self).add(to: router)
        return router
    }
}

extension ConsoleServices {
    /// The objective's causal tree from the audit store, or why it cannot be had.
    func trace(_ correlationID: String) -> Result<AuditTrace, ConsoleError> {
        do {
            return .success(try audit.trace(correlationID))
        } catch let error as ConsoleError {
            return .failure(error)
        } catch {
            return .failure(ConsoleError(.unavailable, "reading the audit store \(audit.location) failed: \(error)"))
        }
    }

    /// The verify report, or why there is none.
    func verify() -> Result<[String: Any], ConsoleError> {
        do {
            return .success(try audit.verify().json)
        } catch let error as ConsoleError {
            return .failure(error)
        } catch {
            return .failure(ConsoleError(.unavailable, "verifying the audit store \(audit.location) failed: \(error)"))
        }
    }
}
