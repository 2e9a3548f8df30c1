import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Sends finished spans to an OTLP/HTTP endpoint (`POST …/v1/traces`) in the JSON encoding,
/// in batches, from a background task.
///
/// Why not swift-otel: its 1.6 exporter, batch processor, sampler, finished-span type and
/// id generator are all internal; its only public tracing entry point is a tracer that draws
/// span ids at random. The mesh's spans must carry the ids derived from envelope ids (so the
/// `traceparent` on the wire, byte-identical on replay, names the exported span), so this
/// small exporter stands in. What it costs: JSON rather than protobuf (larger requests, and
/// collectors must accept `http/json`, as Jaeger, Tempo and the OpenTelemetry Collector do),
/// no gRPC, no retry of a failed batch (it is dropped and counted), and the `OTEL_*`
/// variables read are the tracing subset listed in ``TracingConfiguration``.
///
/// The pipeline never waits on it: ``submit(_:)`` appends under a lock or, when
/// `maxQueueSize` spans are already waiting, drops the span and counts it.
public final class OTLPHTTPSpanExporter: @unchecked Sendable {
    public let configuration: TracingConfiguration
    private let client: HTTPClient
    private let lock = NSLock()
    private var queue: [FinishedSpan] = []
    private var tally = Counts()
    private var shuttingDown = false
    private let wakeups: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation
    private var sender: Task<Void, Never>?
    private var timer: Task<Void, Never>?

    /// What happened to the spans so far.
    public struct Counts: Sendable, Equatable {
        public var exported = 0
        /// Dropped because the queue was full.
        public var dropped = 0
        /// In requests the endpoint refused or that failed.
        public var failed = 0

        public init(exported: Int = 0, dropped: Int = 0, failed: Int = 0) {
            self.exported = exported
            self.dropped = dropped
            self.failed = failed
        }
    }

    public init(configuration: TracingConfiguration, client: HTTPClient = .shared) {
        self.configuration = configuration
        self.client = client
        (wakeups, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    public var counts: Counts { lock.withLock { tally } }

    /// Starts the background sending: every `scheduleDelay`, and as soon as a batch is full.
    public func start() {
        let delay = configuration.scheduleDelay
        lock.withLock {
            guard sender == nil else { return }
            sender = Task { [self] in
                for await _ in wakeups { await sendQueued() }
            }
            timer = Task { [wake] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: delay)
                    wake.yield()
                }
            }
        }
    }

    /// Queues `span` for export, or drops it when the queue is full.
    public func submit(_ span: FinishedSpan) {
        let batchFull: Bool = lock.withLock {
            guard !shuttingDown, queue.count < configuration.maxQueueSize else {
                tally.dropped += 1
                return false
            }
            queue.append(span)
            return queue.count == configuration.maxExportBatchSize
        }
        if batchFull { wake.yield() }
    }

    /// Sends what is queued, stops the background task and refuses spans from then on;
    /// returns what became of the spans.
    @discardableResult
    public func shutdown() async -> Counts {
        let (sender, timer) = lock.withLock {
            shuttingDown = true
            return (self.sender, self.timer)
        }
        timer?.cancel()
        wake.finish()
        await sender?.value
        await sendQueued()
        return counts
    }

    /// Sends every queued span, in batches of at most `maxExportBatchSize`.
    func sendQueued() async {
        while true {
            let batch: [FinishedSpan] = lock.withLock {
                let taken = Array(queue.prefix(configuration.maxExportBatchSize))
                queue.removeFirst(taken.count)
                return taken
            }
            guard !batch.isEmpty else { return }
            let sent = await send(batch)
            lock.withLock {
                if sent { tally.exported += batch.count } else { tally.failed += batch.count }
            }
        }
    }

    private func send(_ batch: [FinishedSpan]) async -> Bool {
        do {
            let body = OTLPJSON.encode(resource: configuration.resource, spans: batch)
            var request = HTTPClientRequest(url: configuration.endpoint)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            for header in configuration.headers { request.headers.add(name: header.name, value: header.value) }
            request.body = .bytes(ByteBuffer(bytes: body))
            let response = try await client.execute(request, timeout: .nanoseconds(configuration.exportTimeout.nanoseconds))
            _ = try? await response.body.collect(upTo: 1 << 20)
            return (200..<300).contains(Int(response.status.code))
        } catch {
            return false
        }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
