import Foundation
import MeshCatalog
import MeshSigning

/// When a store writes signed checkpoints. Both triggers may be set; either one makes a
/// checkpoint due. A checkpoint is never written for an unchanged head.
public struct CheckpointPolicy: Sendable, Hashable {
    /// Write a checkpoint at every record whose sequence is this many past the previous
    /// checkpoint (exactly, also in the middle of a batch). Nil: no count trigger.
    public var everyRecords: Int?
    /// Write a checkpoint at the end of an append when this many seconds have passed since the
    /// previous one. Nil: no time trigger. (A library cannot wake itself up: call
    /// `AuditStore.checkpointIfDue()` from the sink's poll loop to cover idle periods.)
    public var everySeconds: Double?

    /// A policy; the default is every 10,000 records or 60 seconds.
    public init(everyRecords: Int? = 10_000, everySeconds: Double? = 60) {
        precondition(everyRecords.map { $0 > 0 } ?? true, "everyRecords must be positive")
        self.everyRecords = everyRecords
        self.everySeconds = everySeconds
    }
}

/// Settings shared by every `AuditStore` implementation.
public struct AuditStoreConfiguration: Sendable {
    /// Signs checkpoints. Use a key the auditors trust (Ed25519 for non-repudiation).
    public var signer: MessageSigner
    /// When checkpoints are written.
    public var checkpoints: CheckpointPolicy
    /// The sink clock in unix microseconds (tests inject a fixed clock).
    public var clock: @Sendable () -> Int64
    /// Store a later copy of an envelope id already stored (other bytes) flagged
    /// `superseded` or `conflict` instead of skipping it as a duplicate (see `LaterCopies`).
    public var recordsLaterCopies = false
    /// Test hook: called after each record is written inside the append transaction, with its
    /// sequence; throwing aborts the whole batch. Nil in production.
    var faultInjection: (@Sendable (Int64) throws -> Void)?

    /// A configuration; the clock defaults to the system clock.
    public init(signer: MessageSigner, checkpoints: CheckpointPolicy = CheckpointPolicy(),
                clock: @escaping @Sendable () -> Int64 = AuditStoreConfiguration.systemClock) {
        self.signer = signer
        self.checkpoints = checkpoints
        self.clock = clock
        self.faultInjection = nil
    }

    /// The configuration of a store opened to read: a reader never appends, so it gets a
    /// throwaway key that signs nothing and no checkpoint triggers.
    static func reader() throws -> AuditStoreConfiguration {
        let metadata = KeyMetadata(keyId: "reader-unused", algorithm: .hmacSHA256, principal: MeshRoles.meshctl, principalKind: .role)
        return AuditStoreConfiguration(
            signer: try MessageSigner(metadata: metadata, hmacSecret: try HMACSecret.generate()),
            checkpoints: CheckpointPolicy(everyRecords: nil, everySeconds: nil))
    }

    /// Wall-clock time in unix microseconds.
    public static let systemClock: @Sendable () -> Int64 = {
        Int64((Date().timeIntervalSince1970 * 1_000_000).rounded())
    }
}
