import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MeshBenchmarks
import MeshCatalog
import MeshTransport
import MeshWire

/// The status events of the bench's stream phase. Event `n` moves plan `n % plans` to attempt
/// `n / plans + 1`, so every event changes its plan's summary and a stream tells the events
/// apart by plan id and attempt.
struct StatusLoad: Sendable {
    let ids: [String]
    let total: Int
    /// "<plan id>#<attempt>" → event number.
    let keys: [String: Int]

    init(ids: [String], total: Int) {
        self.ids = ids
        self.total = total
        keys = Dictionary(uniqueKeysWithValues: (0..<total).map { (Self.key(ids[$0 % ids.count], attempt: $0 / ids.count + 1), $0) })
    }

    static func key(_ id: String, attempt: Int) -> String { "\(id)#\(attempt)" }

    struct Sent {
        /// When each event was handed to the producer.
        var at: [ContinuousClock.Instant]
        /// The publishing window: first hand-over to one interval past the last.
        var seconds: Double
        var failures: Int
    }

    /// Seals every event first (signing is not what is measured), then hands each to the
    /// producer when it is due, without waiting for acknowledgements in between, as a busy
    /// orchestrator does; then waits until the broker acknowledged them all.
    func publish(with publisher: MeshPublisher, rate: Int) async throws -> Sent {
        let records = try (0..<total).map { n in
            let id = ids[n % ids.count]
            let status = Envelope(source: "/mesh/orchestrator/bench", correlationID: id, payload: .planStatus(PlanStatus(
                planID: "plan-\(id)", tasks: [TaskStatus(taskID: "change", state: .working, attempt: UInt32(n / ids.count + 1), detail: "step \(n)")],
                detail: "step \(n)")))
            return try publisher.record(status, topic: MeshTopics.plans, key: id)
        }
        let failures = FailureCount()
        var at: [ContinuousClock.Instant] = []
        at.reserveCapacity(total)
        let start = ContinuousClock.now
        while at.count < total {
            let due = min(total, Int((ContinuousClock.now - start).seconds * Double(rate)) + 1)
            while at.count < due {
                at.append(.now)
                try publisher.producer.enqueue(records[at.count - 1]) { if case .failure = $0 { failures.increment() } }
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        let seconds = (at[total - 1] - start).seconds + 1 / Double(rate)
        try publisher.producer.flush(timeout: .seconds(60))
        return Sent(at: at, seconds: seconds, failures: failures.value)
    }
}

/// One `/events/plans` stream as a browser holds it: splits the bytes into events and notes
/// when each status event of the load first arrived.
final class SSEReceiver: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private struct Plan: Decodable {
        struct Task: Decodable { var attempt: Int }
        var id: String
        var tasks: [Task]
    }

    private let keys: [String: Int]
    private let lock = NSLock()
    private let decoder = JSONDecoder()
    private var buffer: [UInt8] = []
    private var scanned = 0
    private var list = false
    private var arrivals: [Int: ContinuousClock.Instant] = [:]

    init(keys: [String: Int]) { self.keys = keys }

    /// Whether the whole list (the stream's first event) has arrived.
    var hasList: Bool { lock.withLock { list } }
    /// Distinct events of the load received so far.
    var receivedCount: Int { lock.withLock { arrivals.count } }

    /// Events received per second, from the first event sent to the last one received here:
    /// a stream that falls behind and catches up later gets a lower rate than the publisher's.
    func rate(since start: ContinuousClock.Instant) -> Double {
        lock.withLock {
            guard let last = arrivals.values.max() else { return 0 }
            return Double(arrivals.count) / max((last - start).seconds, 1e-3)
        }
    }

    func lagsMillis(sentAt: [ContinuousClock.Instant]) -> [Double] {
        lock.withLock { arrivals.map { ($0.value - sentAt[$0.key]).seconds * 1000 } }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        let now = ContinuousClock.now
        lock.withLock {
            buffer.append(contentsOf: data)
            // An event ends at a blank line. Scanning resumes where the last chunk ended (the
            // first list is megabytes, arriving in many chunks).
            var start = 0, index = max(0, scanned - 1)
            while index + 1 < buffer.count {
                if buffer[index] == 10, buffer[index + 1] == 10 {
                    take(buffer[start..<index], at: now)
                    start = index + 2
                    index = start
                } else {
                    index += 1
                }
            }
            buffer.removeFirst(start)
            scanned = buffer.count
        }
    }

    private func take(_ event: ArraySlice<UInt8>, at now: ContinuousClock.Instant) {
        let text = String(decoding: event, as: UTF8.self)
        if text.hasPrefix("event: plans\n") {
            list = true
            return
        }
        guard text.hasPrefix("event: changed\n"), let data = text.range(of: "\ndata: "),
              let plans = try? decoder.decode([Plan].self, from: Data(text[data.upperBound...].utf8)) else { return }
        for plan in plans {
            for task in plan.tasks {
                if let n = keys[StatusLoad.key(plan.id, attempt: task.attempt)], arrivals[n] == nil { arrivals[n] = now }
            }
        }
    }
}
