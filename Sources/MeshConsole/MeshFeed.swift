import Foundation
import Logging
import MeshOps

/// The console's view of the mesh, re-read from Kafka every `interval` by one task and shared
/// by every page, API call and live stream of this replica, so the cost of reading does not
/// grow with the number of people watching. Writes never go through here: signing reads the
/// approvals afresh so a decision made on another replica a moment ago is seen.
public actor MeshFeed {
    private let client: OpsMeshClient
    private var snapshot: MeshSnapshot?
    private var waiters: [CheckedContinuation<MeshSnapshot, Never>] = []
    private var listeners: [UUID: AsyncStream<[PlanSummary]>.Continuation] = [:]
    private var lastSummaries: [PlanSummary] = []

    public init(client: OpsMeshClient) { self.client = client }

    /// Whether the mesh has been read once (the readiness probe).
    public var isReady: Bool { snapshot != nil }

    /// The latest snapshot; waits for the first read after start.
    public func current() async -> MeshSnapshot {
        if let snapshot { return snapshot }
        return await withCheckedContinuation { waiters.append($0) }
    }

    /// Plan summaries now and after every change, until the stream is dropped.
    public func changes() -> AsyncStream<[PlanSummary]> {
        let id = UUID()
        let (stream, continuation) = AsyncStream<[PlanSummary]>.makeStream(bufferingPolicy: .bufferingNewest(1))
        if snapshot != nil { continuation.yield(lastSummaries) }
        listeners[id] = continuation
        continuation.onTermination = { _ in Task { await self.drop(id) } }
        return stream
    }

    private func drop(_ id: UUID) { listeners[id] = nil }

    /// Reads the mesh again and tells listeners when plans changed.
    public func refresh() async throws {
        let fresh = MeshSnapshot(try await client.readAll(MeshSnapshot.topics))
        snapshot = fresh
        for waiter in waiters { waiter.resume(returning: fresh) }
        waiters = []
        let summaries = fresh.planSummaries
        if summaries != lastSummaries {
            lastSummaries = summaries
            for listener in listeners.values { listener.yield(summaries) }
        }
    }

    /// Refreshes until cancelled; a failed read is logged and retried on the next tick.
    public func run(interval: Duration, logger: Logger) async {
        while !Task.isCancelled {
            do { try await refresh() } catch { logger.warning("reading the mesh failed: \(error)") }
            try? await Task.sleep(for: interval)
        }
    }
}
