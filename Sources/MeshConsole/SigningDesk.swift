import Foundation
import MeshCatalog
import MeshKafka
import MeshOps
import MeshSigning
import MeshTransport
import MeshWire

/// Why the console refused to sign; each maps to one HTTP status and JSON error code.
public enum SigningRefusal: Error, CustomStringConvertible, Equatable {
    /// The person's role may not sign (403).
    case notAnApprover(String)
    /// Re-entered password wrong (§11.200(a)) (403).
    case wrongPassword
    /// Too many wrong passwords: locked until the time given (429).
    case locked(untilUnixSeconds: Int64)
    /// Refused by the approval rules (`ApprovalDesk`) (409, 404 for an unknown id).
    case rule(ApprovalRefusal.Reason, String)
    /// The users file gives this approver no sealed key (409).
    case noKey(String)
    /// Missing or malformed fields (400).
    case badRequest(String)

    public var description: String {
        switch self {
        case .notAnApprover(let role): "your role (\(role)) may not sign approvals; nothing was published"
        case .wrongPassword: "the password is not correct; nothing was signed and the attempt is recorded"
        case .locked(let until): "too many failed attempts: locked until \(Date(timeIntervalSince1970: TimeInterval(until))); nothing was signed"
        case .rule(_, let text): text
        case .noKey(let text): text
        case .badRequest(let text): text
        }
    }

    public static func == (lhs: SigningRefusal, rhs: SigningRefusal) -> Bool { lhs.description == rhs.description }
}

/// What a person submits to sign (the form or `POST /api/approvals/{id}/decision`).
public struct SigningRequest: Sendable {
    public var approvalID: String
    public var decision: Decision
    public var meaning: String
    public var reason: String
    public var password: String

    public init(approvalID: String, decision: Decision, meaning: String, reason: String, password: String) {
        self.approvalID = approvalID
        self.decision = decision
        self.meaning = meaning
        self.reason = reason
        self.password = password
    }
}

/// 21 CFR Part 11 signing in the console: the person re-enters their password (§11.200(a));
/// the decision binds their printed name, the time and the meaning (§11.50) to the result
/// hash (§11.70) through `ApprovalManifest`; their Ed25519 key is opened from the users file
/// only for this signature and wiped. Every refusal after the role check is recorded on
/// mesh.operations before it is returned, so no failed attempt is silent.
public struct SigningDesk: Sendable {
    let client: OpsMeshClient
    let producer: KafkaProducer
    let operations: OperationsLog
    let throttle: LoginThrottle

    public init(client: OpsMeshClient, producer: KafkaProducer, operations: OperationsLog, throttle: LoginThrottle) {
        self.client = client
        self.producer = producer
        self.operations = operations
        self.throttle = throttle
    }

    /// Signs and publishes the decision, returning its envelope, or records and throws a `SigningRefusal`.
    public func sign(_ request: SigningRequest, as user: ConsoleUser, now: Date = Date()) async throws -> Envelope {
        do {
            return try await attempt(request, as: user, now: now)
        } catch let refusal as SigningRefusal {
            try await operations.record(.signatureRefused, person: user.name,
                                        reason: "approval \(request.approvalID): \(refusal.description)")
            throw refusal
        }
    }

    private func attempt(_ request: SigningRequest, as user: ConsoleUser, now: Date) async throws -> Envelope {
        guard user.role.maySign else { throw SigningRefusal.notAnApprover(user.role.rawValue) }
        guard !request.meaning.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw SigningRefusal.badRequest("a signature needs its meaning (e.g. approved, reviewed)")
        }
        if request.decision == .reject, request.reason.trimmingCharacters(in: .whitespaces).isEmpty {
            throw SigningRefusal.badRequest("a rejection needs a reason")
        }
        let seconds = Int64(now.timeIntervalSince1970)
        if case .locked(let until) = throttle.check(user.name, now: seconds) { throw SigningRefusal.locked(untilUnixSeconds: until) }
        // Read afresh, not from the feed: another replica or meshctl may have decided a moment ago.
        let found: (request: ApprovalRequested, envelope: Envelope, decision: ApprovalDecision?)
        let micros = Int64(now.timeIntervalSince1970 * 1_000_000)
        do {
            found = try await OpsApprovalBook.read(client).lookup(request.approvalID)
            try ApprovalDesk.check(person: user.name, request: found.request, existingDecision: found.decision, now: micros)
        } catch let refusal as ApprovalRefusal {
            throw SigningRefusal.rule(refusal.reason, refusal.description)
        }
        guard try user.password.verify(request.password) else {
            if case .locked(let until) = throttle.failed(user.name, now: seconds) { throw SigningRefusal.locked(untilUnixSeconds: until) }
            throw SigningRefusal.wrongPassword
        }
        throttle.succeeded(user.name)
        guard let sealed = user.signingKey,
              let metadata = try KeyRingStore.listKeys(in: client.keysDirectory).first(where: { $0.keyId == sealed.keyId }) else {
            throw SigningRefusal.noKey("\(user.name) has no signing key in the users file, or its key id is not in the trust store: "
                                       + "add it with `mesh-console users add \(user.name) --role approver`; nothing was published")
        }
        let signer = try sealed.withSeed(password: request.password) { seed in
            MessageSigner(metadata: metadata, ed25519: try Ed25519PrivateKey(rawRepresentation: seed))
        }
        let envelope: Envelope
        do {
            envelope = try ApprovalDesk.decisionEnvelope(
                request.decision, on: found.request, requestEnvelope: found.envelope, person: user.name,
                printedName: user.printedName, meaning: request.meaning, reason: request.reason, signer: signer, now: micros)
        } catch let refusal as ApprovalRefusal {
            throw SigningRefusal.rule(refusal.reason, refusal.description)
        }
        try await MeshPublisher(producer: producer, sealer: EnvelopeSealer(signer: signer)).publish(envelope, to: MeshTopics.approvals)
        return envelope
    }
}
