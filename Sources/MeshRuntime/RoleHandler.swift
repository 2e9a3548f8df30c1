import MeshTransport
import MeshWire

/// An envelope a handler wants published.
public struct OutboundEnvelope: Sendable, Equatable {
    /// What an output is to its input, which decides when it may be published.
    public enum Kind: Sendable, Equatable {
        /// An output other roles act on (plans, tasks, verdicts): published at once.
        case event
        /// The role's own record of its state after the input (the orchestrator's changelog
        /// snapshot), from which it restores after a crash. Published only once every event
        /// output of this input, and of every earlier input of its partition, was
        /// acknowledged: a state that says an input was applied must never become durable
        /// while that input's outputs can still be lost.
        case state
    }

    public var topic: String
    public var envelope: Envelope
    /// Kafka key; `nil` means the correlation id (everything about one objective stays in
    /// one partition, in order).
    public var key: String?
    public var kind: Kind

    public init(topic: String, envelope: Envelope, key: String? = nil, kind: Kind = .event) {
        self.topic = topic
        self.envelope = envelope
        self.key = key
        self.kind = kind
    }
}

/// What one role does with a verified, authorized, not-yet-seen envelope. Retries, dead
/// letters, offsets, ordering and shutdown belong to ``RoleWorker``, not to handlers.
public protocol RoleHandler: Sendable {
    /// Handles one envelope and returns what to publish. Envelopes of one partition number
    /// arrive one at a time, in order (across co-partitioned topics too); other partitions
    /// run concurrently. Throwing fails this attempt: the worker retries with backoff and
    /// then dead-letters the input. Throwing ``HoldInput`` instead parks the input until its
    /// cause has been handled. Outputs should be deterministic for a given input (derived
    /// ids, the cause's time), so a redelivered input yields byte-identical duplicates that
    /// consumers drop.
    func handle(_ inbound: InboundEnvelope) async throws -> [OutboundEnvelope]

    /// Called before the first envelope of `partition` after it was assigned to this
    /// instance: the place to restore state (e.g. from a changelog).
    func prepare(partition: Int32) async throws

    /// `partitions` now belong to another instance: drop their state.
    func revoked(partitions: [Int32]) async

    /// Called every `tickInterval` (deadlines, timers); returns what to publish.
    func tick(nowMicros: Int64) async -> [OutboundEnvelope]

    /// Role-specific gauges for `/metrics`, read at scrape time.
    func gauges() -> [RoleGauge]
}

extension RoleHandler {
    public func prepare(partition: Int32) async throws {}
    public func revoked(partitions: [Int32]) async {}
    public func tick(nowMicros: Int64) async -> [OutboundEnvelope] { [] }
    public func gauges() -> [RoleGauge] { [] }
}

/// One role-specific gauge (e.g. the orchestrator's overdue plans).
public struct RoleGauge: Sendable, Equatable {
    /// Metric name, `agentmesh_` prefixed.
    public var name: String
    public var help: String
    public var value: Int

    public init(name: String, help: String, value: Int) {
        self.name = name
        self.help = help
        self.value = value
    }
}

/// Thrown by a handler for an input that arrived before its cause (after a crash, Kafka
/// redelivers each topic in order but not the topics in causal order: a result can come back
/// before the objective that caused it). The worker parks the input, unacknowledged and not
/// seen, and hands it to the handler again once an input with correlation id `key` of the
/// same partition was handled. A parked input that waits longer than the worker's hold
/// timeout, or beyond its bound of parked inputs, is dead-lettered with `reason`.
public struct HoldInput: Error, CustomStringConvertible, Sendable {
    /// The correlation id whose next handled input may let this one through.
    public var key: String
    /// Dead-letter reason when the wait ends without the cause (e.g. `plan-unknown`).
    public var reason: String
    public var detail: String

    public init(key: String, reason: String, detail: String) {
        self.key = key
        self.reason = reason
        self.detail = detail
    }

    public var description: String { "\(reason): \(detail)" }
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
