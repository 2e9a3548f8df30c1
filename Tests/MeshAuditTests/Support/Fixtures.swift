import Foundation
import MeshSigning
@testable import MeshAudit

/// Deterministic keys, clocks and inputs shared by the MeshAudit tests.
enum Fixtures {
    /// A fixed Ed25519 checkpoint key, so child processes sign with the same key.
    static let signer: MessageSigner = {
        let seed = (0..<32).map { UInt8($0 &* 7 &+ 1) }
        let metadata = KeyMetadata(keyId: "audit-sink-test-key", algorithm: .ed25519, principal: "audit-sink",
                                   principalKind: .role, created: Date(timeIntervalSince1970: 1_760_000_000))
        return MessageSigner(metadata: metadata, ed25519: try! Ed25519PrivateKey(rawRepresentation: seed))
    }()

    /// A key the verifier does not trust (for forged checkpoints).
    static let attacker: MessageSigner = {
        let metadata = KeyMetadata(keyId: "attacker-key", algorithm: .ed25519, principal: "mallory", principalKind: .person)
        return MessageSigner(metadata: metadata, ed25519: try! Ed25519PrivateKey.generate())
    }()

    static let trust: TrustStore = try! TrustStore([signer.verificationKey])

    /// A clock that advances one second per reading, starting at a fixed instant.
    final class SteppingClock: @unchecked Sendable {
        private let lock = NSLock()
        private var now: Int64
        let step: Int64

        init(start: Int64 = 1_760_000_000_000_000, step: Int64 = 1_000_000) {
            now = start
            self.step = step
        }

        func read() -> Int64 {
            lock.lock()
            defer { lock.unlock() }
            now += step
            return now
        }

        func advance(seconds: Int64) {
            lock.lock()
            now += seconds * 1_000_000
            lock.unlock()
        }
    }

    static func configuration(
        everyRecords: Int? = 5, everySeconds: Double? = nil, clock: SteppingClock = SteppingClock(),
        fault: (@Sendable (Int64) throws -> Void)? = nil
    ) -> AuditStoreConfiguration {
        var configuration = AuditStoreConfiguration(
            signer: signer, checkpoints: CheckpointPolicy(everyRecords: everyRecords, everySeconds: everySeconds),
            clock: { clock.read() })
        configuration.faultInjection = fault
        return configuration
    }

    /// A decodable, verified input number `n`, unique by id and by coordinates.
    static func input(
        _ n: Int, id: String? = nil, type: String = "work.item", source: String = "coder", subject: String = "ticket-1",
        correlation: String = "corr-1", causation: String = "", verification: AuditVerificationStatus = .verified,
        topic: String = "mesh.work", partition: Int32 = 0, offset: Int64? = nil, eventTime: Int64? = nil
    ) -> AuditRecordInput {
        AuditRecordInput(
            raw: Array("sealed-envelope-\(n)-".utf8) + (0..<64).map { UInt8(truncatingIfNeeded: n &+ $0) },
            envelopeID: id ?? "env-\(n)", type: type, source: source, subject: subject,
            correlationID: correlation, causationID: causation,
            eventTimeMicros: eventTime ?? (1_750_000_000_000_000 + Int64(n) * 1_000_000),
            signerKeyID: "\(source)-key-1", signerPrincipal: source, verification: verification,
            kafka: KafkaCoordinates(topic: topic, partition: partition, offset: offset ?? Int64(n),
                                    timestampMillis: 1_750_000_000_000 + Int64(n)))
    }

    static func inputs(_ range: Range<Int>) -> [AuditRecordInput] { range.map { input($0) } }

    static func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("meshaudit-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
