import MeshTransport
import MeshWire

/// An envelope a handler wants published.
public struct OutboundEnvelope: Sendable, Equatable {
    public var topic: String
    public var envelope: Envelope
    /// Kafka key; `nil` means the correlation id (everything about one objective stays in
    /// one partition, in order).
    public var key: String?

    public init(topic: String, envelope: Envelope, key: String? = nil) {
        self.topic = topic
        self.envelope = envelope
        self.key = key
    }
}

/// What one role does with a verified, authorized, not-yet-seen envelope. Retries, dead
/// letters, offsets, ordering and shutdown belong to ``RoleWorker``, not to handlers.
public protocol RoleHandler: Sendable {
    /// Handles one envelope and returns what to publish. Envelopes of one partition number
    /// arrive one at a time, in order (across co-partitioned topics too); other partitions
    /// run concurrently. Throwing fails this attempt: the worker retries with backoff and
    /// then dead-letters the input. Outputs must be deterministic for a given input (derived
    /// ids), so a redelivered input yields duplicates that consumers drop.
    func handle(_ inbound: InboundEnvelope) async throws -> [OutboundEnvelope]

    /// Called before the first envelope of `partition` after it was assigned to this
    /// instance: the place to restore state (e.g. from a changelog).
    func prepare(partition: Int32) async throws

    /// `partitions` now belong to another instance: drop their state.
    func revoked(partitions: [Int32]) async

    /// Called every `tickInterval` (deadlines, timers); returns what to publish.
    func tick(nowMicros: Int64) async -> [OutboundEnvelope]
}

extension RoleHandler {
    public func prepare(partition: Int32) async throws {}
    public func revoked(partitions: [Int32]) async {}
    public func tick(nowMicros: Int64) async -> [OutboundEnvelope] { [] }
}

/// Thrown by a handler for input that can never succeed (e.g. an approval whose signature
/// does not verify): the worker dead-letters it at once instead of retrying.
public struct PermanentHandlerError: Error, CustomStringConvertible, Sendable {
    /// Stable code for the dead-letter header and metrics.
    public var reason: String
    public var detail: String
    public var isSecurityEvent: Bool

    public init(reason: String, detail: String, isSecurityEvent: Bool = false) {
        self.reason = reason
        self.detail = detail
        self.isSecurityEvent = isSecurityEvent
    }

    public var description: String { "\(reason): \(detail)" }
}
