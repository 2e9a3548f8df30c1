import Foundation
import Logging
import MeshKafka
import MeshOps
import MeshTransport

/// The console's view of the mesh: one consumer per replica follows the live-state topics
/// from the beginning, verifies each record once and folds it into the snapshot, so a new
/// status costs one plan's fold, not a re-read of the mesh (which took seconds with 10,000
/// plans). Every page, API call and live stream of this replica reads that one snapshot.
/// Streams get the whole plan list once, then only the plans that changed, at most once per
/// tick, so a burst of status events costs one small message per stream; each message is
/// encoded once for all streams.
/// Writes never go through here: signing reads the approvals afresh so a decision made on
/// another replica a moment ago is seen.
public actor MeshFeed {
    /// One server-sent event as it goes on the wire: `plans` with the whole list, `changed`
    /// with the plans that changed since the last tick.
    public struct PlansEvent: Sendable {
        public let frame: Data

        init(_ name: String, json: Data) {
            frame = Data("event: \(name)\ndata: ".utf8) + json + Data("\n\n".utf8)
        }
    }

    private let client: OpsMeshClient
    private var snapshot = MeshSnapshot()
    private var ready = false
    private var waiters: [CheckedContinuation<MeshSnapshot, Never>] = []
    private var listeners: [UUID: AsyncStream<PlansEvent>.Continuation] = [:]
    private var changedSinceTick: [String: PlanSummary] = [:]
    /// The next offset to read, per partition.
    private var next: [TopicPartition: Int64] = [:]
    private var catchUp: EndOfLog?
    private var readSinceTick = 0
    /// `GET /api/plans` as encoded for the current snapshot; dropped when a plan changes.
    private var plansJSON: Data?
    /// Set on shutdown: live streams end so the server can drain instead of waiting on them.
    private var closed = false

    public init(client: OpsMeshClient) { self.client = client }

    /// Whether the mesh has been read up to where it was at start (the readiness probe).
    public var isReady: Bool { ready }

    /// The latest snapshot; waits for the first catch-up after start.
    public func current() async -> MeshSnapshot {
        if ready { return snapshot }
        return await withCheckedContinuation { waiters.append($0) }
    }

    /// The plan summaries as JSON (sorted keys), encoded once per change rather than per request.
    public func plansJSONData() async -> Data {
        _ = await current()
        return encodedPlans()
    }

    private func encodedPlans() -> Data {
        if let plansJSON { return plansJSON }
        let data = Self.encode(snapshot.planSummaries)
        plansJSON = data
        return data
    }

    private static func encode(_ plans: [PlanSummary]) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(plans)) ?? Data("[]".utf8)
    }

    /// The plan list now, then the plans that change, until the stream is dropped.
    public func changes() -> AsyncStream<PlansEvent> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<PlansEvent>.makeStream(bufferingPolicy: .unbounded)
        if closed {
            continuation.finish()
            return stream
        }
        if ready { continuation.yield(PlansEvent("plans", json: encodedPlans())) }
        listeners[id] = continuation
        continuation.onTermination = { _ in Task { await self.drop(id) } }
        return stream
    }

    private func drop(_ id: UUID) { listeners[id] = nil }

    /// Ends every live stream, and any opened later at once (server shutdown).
    public func close() {
        closed = true
        for listener in listeners.values { listener.finish() }
        listeners = [:]
    }

    private func fold(_ inbound: InboundEnvelope?, _ message: ConsumedMessage) {
        if let inbound {
            for summary in snapshot.apply([inbound]) {
                changedSinceTick[summary.id] = summary
                plansJSON = nil
            }
        }
        next[TopicPartition(topic: message.topic, partition: message.partition)] = message.offset + 1
        readSinceTick += 1
        catchUp?.passed(message)
        if !ready, catchUp?.isFinished == true { becomeReady() }
    }

    private func becomeReady() {
        ready = true
        for waiter in waiters { waiter.resume(returning: snapshot) }
        waiters = []
        changedSinceTick = [:]
        guard !listeners.isEmpty else { return }
        let event = PlansEvent("plans", json: encodedPlans())
        for listener in listeners.values { listener.yield(event) }
    }

    /// Sends what changed since the last tick. A tick that read nothing before the first
    /// catch-up finished also counts as caught up (the last offsets may be transaction markers,
    /// which are never handed out).
    private func tick() {
        if !ready, readSinceTick == 0, catchUp != nil { becomeReady() }
        readSinceTick = 0
        guard ready, !changedSinceTick.isEmpty else { return }
        let changed = Array(changedSinceTick.values)
        changedSinceTick = [:]
        guard !listeners.isEmpty else { return }
        let event = PlansEvent("changed", json: Self.encode(changed))
        for listener in listeners.values { listener.yield(event) }
    }

    private func started(_ end: EndOfLog) {
        catchUp = end
        if end.isFinished { becomeReady() }
    }

    /// Waits (up to `timeout`) until every partition has been read to the end it has now, so
    /// a page drawn after a write shows it.
    public func refresh(timeout: Duration = .seconds(5)) async throws {
        let admin = try KafkaAdmin(configuration: client.configuration, logger: client.logger)
        var ends: [TopicPartition: Int64] = [:]
        for partition in try client.partitions(of: MeshSnapshot.topics) {
            let (low, high) = try admin.watermarks(topic: partition.topic, partition: partition.partition)
            if high > low { ends[partition] = high }
        }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, ends.contains(where: { (next[$0.key] ?? 0) < $0.value }) {
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Follows the topics until cancelled; a failure is logged and the follow starts again
    /// (from the beginning, into a fresh snapshot).
    public func run(tick interval: Duration, logger: Logger) async {
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                await self.tick()
            }
        }
        defer { ticker.cancel() }
        while !Task.isCancelled {
            do {
                try await follow(logger: logger)
            } catch {
                logger.warning("following the mesh failed: \(error)")
                try? await Task.sleep(for: interval)
            }
        }
    }

    private func restart() {
        snapshot = MeshSnapshot()
        next = [:]
        plansJSON = nil
    }

    private func follow(logger: Logger) async throws {
        restart()
        let partitions = try client.partitions(of: MeshSnapshot.topics)
        started(try EndOfLog(partitions, admin: try KafkaAdmin(configuration: client.configuration, logger: logger)))
        let consumer = try KafkaConsumer(configuration: client.configuration, subscription: .partitions(partitions), logger: logger)
        defer { consumer.close() }
        let opener = client.opener
        for await message in consumer.messages {
            switch opener.open(message.value) {
            case .success(let opened): fold(InboundEnvelope(opened: opened, message: message), message)
            case .failure(let rejection):
                logger.warning("skipped \(message.topic)[\(message.partition)]@\(message.offset): \(rejection)")
                fold(nil, message)
            }
            if Task.isCancelled { return }
        }
    }
}
