import MeshKafka
import MeshWire

/// What a role that keeps raw records in batches (the audit sink) does with them. The
/// worker owns everything else, as for every role: fetching and batching, the offsets
/// (committable only once a batch was handled), retrying a failed batch, dead letters,
/// readiness, metrics, tracing and the agent card (``RoleWorker``, ``BatchPipeline``).
///
/// Unlike a ``RoleHandler`` it sees every record as read, unverified: a record that does
/// not verify is the handler's to keep (flagged), not the runtime's to dead-letter.
public protocol BatchHandler: Sendable {
    associatedtype Prepared: Sendable

    /// Work on a batch that needs nothing but the records (decoding, verifying). It runs
    /// while the previous batch is still being handled; batches are handled one at a time,
    /// in order.
    func prepare(_ batch: [ConsumedMessage]) -> Prepared

    /// Makes `batch` durable. Throwing fails the whole batch: it is handled again, with
    /// backoff and not ready meanwhile, until it works or the worker stops (its records are
    /// then read again after a restart), so a handler must accept a batch it partly kept.
    func handle(_ prepared: Prepared, of batch: [ConsumedMessage]) async throws -> BatchOutcome

    /// Between a failed attempt and the next (e.g. reopen a database connection).
    func recover(after error: Error) async

    /// No record came for a while: the place for periodic work (a time-triggered checkpoint).
    func idle() async

    /// Every batch was handled and the worker stops; runs before the offsets are committed.
    func drained() async

    /// The envelopes of `batch` to trace, by index; asked only while tracing is on.
    func envelopes(in batch: [ConsumedMessage], _ prepared: Prepared) -> [(index: Int, envelope: Envelope)]

    /// Role-specific gauges for `/metrics`, read at scrape time.
    func gauges() -> [RoleGauge]
}

extension BatchHandler {
    public func recover(after error: Error) async {}
    public func idle() async {}
    public func drained() async {}
    public func envelopes(in batch: [ConsumedMessage], _ prepared: Prepared) -> [(index: Int, envelope: Envelope)] { [] }
    public func gauges() -> [RoleGauge] { [] }
}

/// What became of a handled batch besides what the handler kept.
public struct BatchOutcome: Sendable {
    /// A record the handler could not keep: the worker publishes it to the dead-letter
    /// topic, and the batch's offsets become committable only once the broker acknowledged it.
    public struct DeadLetter: Sendable {
        public var message: ConsumedMessage
        public var reason: String
        public var detail: String
        public var attempts: Int

        public init(message: ConsumedMessage, reason: String, detail: String, attempts: Int) {
            self.message = message
            self.reason = reason
            self.detail = detail
            self.attempts = attempts
        }
    }

    public var deadLetters: [DeadLetter]

    public init(deadLetters: [DeadLetter] = []) {
        self.deadLetters = deadLetters
    }
}

/// How a batch role's records are grouped.
public struct BatchSettings: Sendable {
    /// Records per batch at most.
    public var maxRecords: Int
    /// Longest wait for a batch to fill once its first record arrived.
    public var maxWait: Duration
    /// How long without a record before ``BatchHandler/idle()`` runs.
    public var idleInterval: Duration = .milliseconds(500)
    /// Backoff between attempts at a failed batch (retried until it works or the worker stops).
    public var retry = RetryPolicy(maxAttempts: .max, baseDelay: .milliseconds(200), maxDelay: .seconds(10))

    public init(maxRecords: Int, maxWait: Duration) {
        self.maxRecords = max(1, maxRecords)
        self.maxWait = maxWait
    }

    /// Records fetched from librdkafka per poll.
    var consumerBatchSize: Int { min(max(maxRecords, 64), 1_000) }
}

/// The worker stopped with a batch not handled (its handling kept failing during shutdown,
/// or a dead letter could not be sent): its records were not committed and are read again.
public struct BatchAbandoned: Error, CustomStringConvertible, Sendable {
    public var records: Int
    public var description: String { "stopped with \(records) record(s) not handled; Kafka redelivers them" }
}
