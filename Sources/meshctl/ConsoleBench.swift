import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Logging
import MeshCLI
import MeshCatalog
import MeshKafka
import MeshLogging
import MeshOps
import MeshSigning
import MeshTransport
import MeshWire

/// `meshctl bench console`: a console on a mesh holding many plans. Measures the latency of
/// the plans page and `GET /api/plans` (sequential requests, p50/p99), then the live streams:
/// status events are published at a fixed rate while many `/events/plans` streams are open,
/// and each stream's receipt of each event is timed, so the figures say how many events per
/// second each stream got, whether every stream got every event, and the lag from publish to
/// receipt.
struct ConsoleBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "The console with many plans: page and API latency (p50/p99), SSE delivery under a status-event load.")

    @Option(help: "Plans published before the console starts.") var plans = 10_000
    @Option(help: "Requests per endpoint (alternating page and API).") var requests = 100
    @Option(help: "Server-sent event streams held open.") var streams = 50
    @Option(help: "Status events published per second during the stream phase.") var rate = 1_000
    @Option(help: "Seconds of status events.") var seconds = 10
    @Option(name: .customLong("refresh-ms"), help: "The console's live-stream tick (its --refresh-ms).") var refreshMilliseconds = 500
    @Option(name: .customLong("key-algorithm"), help: "Role key algorithm: ed25519 or hmac-sha256.") var keyAlgorithm = "ed25519"
    @Flag(help: "Print the figures as JSON on stdout.") var json = false
    @OptionGroup var catalog: CatalogOptions

    struct Figures: Codable {
        var plans: Int
        var readySeconds: Double
        var pageMillis: [String: Double]
        var apiMillis: [String: Double]
        var streams: Int
        var statusEventsPublished: Int
        /// The rate the status events were handed to the producer (pipelined, not one at a time).
        var statusEventsPerSecond: Double
        var deliveryFailures: Int
        /// Distinct status events each stream received per second, from the first sent to the last it received.
        var sseEventsPerStream: [String: Double]
        var streamsWithEveryEvent: Int
        /// From handing the status to the producer to its arrival in a stream, over every (stream, event).
        var lagMillis: [String: Double]
        /// The best and the worst stream's p99 lag.
        var streamLagP99Millis: [String: Double]
    }

    func run() async throws {
        MeshLogging.bootstrap(role: "bench", level: .warning)
        let logger = Logger(label: "bench.console")
        let home = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("agentmesh-bench-console-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: home) }
        let environment = MeshEnvironment(home: home.path)
        let topics = try catalog.load()
        guard let agentRole = topics.agentRoles.first else { throw ValidationError("the catalog declares no agent role") }
        let host = OpsMeshHost(environment: environment, logDirectory: home.appendingPathComponent("logs"),
                               status: json ? opsWarn : opsPrint, logger: logger)
        _ = try host.ensureKeys(catalog: topics, people: [], algorithm: SigningAlgorithm(rawValue: keyAlgorithm) ?? .ed25519)
        try host.startBroker(catalog: topics, brokers: 1)
        let client = try OpsMeshClient(configuration: try environment.kafkaConfiguration(), keysDirectory: environment.keysDirectory.path, logger: logger)
        let operatorPublisher = try client.publisher(as: MeshRoles.meshctl)
        let orchestrator = try client.publisher(as: MeshRoles.orchestrator)
        progress("publishing \(plans) plans…")
        var ids: [String] = []
        // Published concurrently (many sends in flight), as a busy orchestrator would.
        for chunk in stride(from: 0, to: plans, by: 200) {
            let batch = (chunk..<min(plans, chunk + 200)).map { ($0, Envelope.makeID()) }
            ids += batch.map(\.1)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, id) in batch {
                    group.addTask {
                        let submitted = Envelope(source: "/mesh/meshctl/bench", correlationID: id, payload: .objectiveSubmitted(ObjectiveSubmitted(
                            objectiveID: id, title: "Bench objective \(index)", playbook: "approval", submittedBy: "bench")))
                        _ = try await operatorPublisher.publish(submitted, to: MeshTopics.objectives, key: id)
                        let created = Envelope(causedBy: submitted, source: "/mesh/orchestrator/bench", payload: .planCreated(PlanCreated(
                            planID: "plan-\(id)", objectiveID: id, playbook: "approval", tasks: [PlannedTask(taskID: "change", role: agentRole)])))
                        _ = try await orchestrator.publish(created, to: MeshTopics.plans, key: id)
                    }
                }
                try await group.waitForAll()
            }
        }

        let console = OpsConsole(environment: environment, port: try OpsConsole.freePort())
        guard let signIn = try console.ensureUsers(approver: nil) else { throw OpsFailure("the bench home already had a users file") }
        var spec = console.spec(store: "sqlite:" + home.appendingPathComponent("audit.sqlite").path,
                                catalog: catalog.catalogDirectory.standardizedFileURL.path)
        spec.arguments += ["--refresh-ms", String(refreshMilliseconds)]
        try host.start([spec])
        defer { Task { await host.stop(grace: .seconds(5)) } }
        let http = BenchHTTP(base: console.url)
        let started = ContinuousClock.now
        try await http.waitUntil(timeout: .seconds(600)) { (try? await http.get("/readyz").status) == 200 }
        try await http.signIn(user: signIn.user, password: signIn.password)
        try await http.waitUntil(timeout: .seconds(600)) {
            guard let reply = try? await http.get("/api/plans"),
                  let list = try? JSONSerialization.jsonObject(with: reply.body) as? [Any] else { return false }
            return list.count >= plans
        }
        let ready = (ContinuousClock.now - started).seconds
        progress("console ready with \(plans) plans after \(String(format: "%.1f", ready)) s; \(requests) requests per endpoint…")

        var page: [Double] = [], api: [Double] = []
        for _ in 0..<requests {
            page.append(try await http.timed("/plans"))
            api.append(try await http.timed("/api/plans"))
        }

        progress("\(streams) streams, \(rate) status events/s for \(seconds) s…")
        let load = StatusLoad(ids: ids, total: rate * seconds)
        let receivers = (0..<streams).map { _ in SSEReceiver(keys: load.keys) }
        let tasks = receivers.map { receiver -> URLSessionDataTask in
            var request = URLRequest(url: URL(string: console.url + "/events/plans")!)
            request.setValue(http.cookieHeader, forHTTPHeaderField: "Cookie")
            request.timeoutInterval = 600
            let task = URLSession(configuration: .ephemeral, delegate: receiver, delegateQueue: nil).dataTask(with: request)
            task.resume()
            return task
        }
        // Every stream first gets the whole list; only then is it following.
        try await http.waitUntil(timeout: .seconds(120)) { receivers.allSatisfy(\.hasList) }
        let sent = try await load.publish(with: orchestrator, rate: rate)
        // The tail: wait (up to 60 s) until every stream has every event, however long that takes.
        try? await http.waitUntil(timeout: .seconds(60)) { receivers.allSatisfy { $0.receivedCount == load.total } }
        tasks.forEach { $0.cancel() }

        let lags = receivers.map { $0.lagsMillis(sentAt: sent.at) }
        let perStream = receivers.map { $0.rate(since: sent.at[0]) }
        let figures = Figures(
            plans: plans, readySeconds: ready, pageMillis: Self.summary(page), apiMillis: Self.summary(api), streams: streams,
            statusEventsPublished: load.total, statusEventsPerSecond: Double(load.total) / sent.seconds, deliveryFailures: sent.failures,
            sseEventsPerStream: ["min_per_s": perStream.min() ?? 0, "max_per_s": perStream.max() ?? 0,
                                 "mean_per_s": perStream.reduce(0, +) / Double(max(1, perStream.count))],
            streamsWithEveryEvent: receivers.filter { $0.receivedCount == load.total }.count,
            lagMillis: Self.summary(lags.flatMap { $0 }),
            streamLagP99Millis: ["min": lags.map { Self.summary($0)["p99"] ?? .nan }.min() ?? .nan,
                                 "max": lags.map { Self.summary($0)["p99"] ?? .nan }.max() ?? .nan])
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(figures), as: UTF8.self))
        } else {
            print("""
                plans \(plans), console ready after \(String(format: "%.1f", ready)) s
                GET /plans      p50 \(f(figures.pageMillis["p50"])) ms  p99 \(f(figures.pageMillis["p99"])) ms  max \(f(figures.pageMillis["max"])) ms
                GET /api/plans  p50 \(f(figures.apiMillis["p50"])) ms  p99 \(f(figures.apiMillis["p99"])) ms  max \(f(figures.apiMillis["max"])) ms
                status events: \(load.total) at \(String(format: "%.0f", figures.statusEventsPerSecond))/s (\(sent.failures) failed); \
                \(streams) streams got \(f(figures.sseEventsPerStream["min_per_s"]))–\(f(figures.sseEventsPerStream["max_per_s"])) events/s each, \
                \(figures.streamsWithEveryEvent) of \(streams) got every event
                lag publish→stream  p50 \(f(figures.lagMillis["p50"])) ms  p99 \(f(figures.lagMillis["p99"])) ms  max \(f(figures.lagMillis["max"])) ms \
                (per-stream p99 \(f(figures.streamLagP99Millis["min"]))–\(f(figures.streamLagP99Millis["max"])) ms)
                """)
        }
        await host.stop(grace: .seconds(5))
    }

    private func f(_ value: Double?) -> String { String(format: "%.1f", value ?? .nan) }

    private func progress(_ line: String) { FileHandle.standardError.write(Data("bench console: \(line)\n".utf8)) }

    static func summary(_ millis: [Double]) -> [String: Double] {
        let sorted = millis.sorted()
        func at(_ q: Double) -> Double { sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int((Double(sorted.count) * q).rounded(.up)) - 1)] }
        return ["p50": at(0.5), "p99": at(0.99), "max": sorted.last ?? .nan]
    }
}

/// A signed-in HTTP client for the bench (cookies by hand, no redirects followed).
final class BenchHTTP: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    let base: String
    private(set) var cookies: [String: String] = [:]
    private lazy var session = URLSession(configuration: .ephemeral, delegate: self, delegateQueue: nil)

    init(base: String) { self.base = base }

    var cookieHeader: String { cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)
    }

    func get(_ path: String) async throws -> (status: Int, body: Data) { try await send("GET", path) }

    func timed(_ path: String) async throws -> Double {
        let start = ContinuousClock.now
        let reply = try await get(path)
        guard reply.status == 200 else { throw OpsFailure("GET \(path): HTTP \(reply.status)") }
        return (ContinuousClock.now - start).seconds * 1000
    }

    func signIn(user: String, password: String) async throws {
        let form = String(decoding: try await get("/login").body, as: UTF8.self)
        guard let range = form.range(of: "name=\"csrf\" value=\"") else { throw OpsFailure("no sign-in form") }
        let csrf = String(form[range.upperBound...].prefix { $0 != "\"" })
        let reply = try await send("POST", "/login", body: "csrf=\(csrf)&user=\(user)&password=\(password)&next=/plans")
        guard reply.status == 303, cookies["mesh_session"] != nil else { throw OpsFailure("sign-in refused: HTTP \(reply.status)") }
    }

    func waitUntil(timeout: Duration, _ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw OpsFailure("the console did not get there within \(timeout)")
    }

    private func send(_ method: String, _ path: String, body: String? = nil) async throws -> (status: Int, body: Data) {
        var request = URLRequest(url: URL(string: base + path)!)
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
        }
        if !cookies.isEmpty { request.setValue(cookieHeader, forHTTPHeaderField: "Cookie") }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        for (key, value) in http.allHeaderFields where String(describing: key).lowercased() == "set-cookie" {
            for cookie in String(describing: value).components(separatedBy: ", ") {
                let pair = cookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
                if pair.count == 2 { cookies[pair[0]] = pair[1] }
            }
        }
        return (http.statusCode, data)
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
