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
/// the plans page and `GET /api/plans` (sequential requests, p50/p99), then how many `plans`
/// server-sent events reach each of many streams while status events are published at a fixed
/// rate, and how long the last status takes to show.
struct ConsoleBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "The console with many plans: page and API latency (p50/p99), SSE delivery under a status-event load.")

    @Option(help: "Plans published before the console starts.") var plans = 10_000
    @Option(help: "Requests per endpoint (alternating page and API).") var requests = 100
    @Option(help: "Server-sent event streams held open.") var streams = 50
    @Option(help: "Status events published per second during the stream phase.") var rate = 1_000
    @Option(help: "Seconds of status events.") var seconds = 10
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
        var statusEventsPerSecond: Double
        var sseEventsPerStream: [String: Double]
        var lastStatusShownAfterSeconds: Double?
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
        try host.start([console.spec(store: "sqlite:" + home.appendingPathComponent("audit.sqlite").path,
                                     catalog: catalog.catalogDirectory.standardizedFileURL.path)])
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
        let counters = (0..<streams).map { _ in SSECounter() }
        let tasks = counters.map { counter -> URLSessionDataTask in
            var request = URLRequest(url: URL(string: console.url + "/events/plans")!)
            request.setValue(http.cookieHeader, forHTTPHeaderField: "Cookie")
            request.timeoutInterval = 600
            let task = URLSession(configuration: .ephemeral, delegate: counter, delegateQueue: nil).dataTask(with: request)
            task.resume()
            return task
        }
        try await Task.sleep(for: .seconds(2))
        let baseline = counters.map(\.events)
        let total = rate * seconds
        let publishStart = ContinuousClock.now
        let marker = "bench-last-\(UUID().uuidString.prefix(6))"
        // Each tenth of a second's share is sent concurrently, then the next slice waits its turn.
        let perSlice = max(1, rate / 10)
        for slice in stride(from: 0, to: total, by: perSlice) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for sent in slice..<min(total, slice + perSlice) {
                    let id = ids[sent % ids.count]
                    let detail = sent == total - 1 ? marker : "step \(sent)"
                    group.addTask {
                        let status = Envelope(source: "/mesh/orchestrator/bench", correlationID: id, payload: .planStatus(PlanStatus(
                            planID: "plan-\(id)", tasks: [TaskStatus(taskID: "change", state: .working, attempt: 1, detail: detail)], detail: detail)))
                        _ = try await orchestrator.publish(status, to: MeshTopics.plans, key: id)
                    }
                }
                try await group.waitForAll()
            }
            let due = publishStart + .milliseconds(Int64(slice + perSlice) * 1000 / Int64(rate))
            if due > ContinuousClock.now { try await Task.sleep(until: due, clock: .continuous) }
        }
        let published = (ContinuousClock.now - publishStart).seconds
        var lastShown: Double?
        let lastID = ids[(total - 1) % ids.count]
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            if let reply = try? await http.get("/plans/\(lastID)"), String(decoding: reply.body, as: UTF8.self).contains(marker) {
                lastShown = (ContinuousClock.now - publishStart).seconds - published
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let window = (ContinuousClock.now - publishStart).seconds
        tasks.forEach { $0.cancel() }
        let perStream = zip(counters, baseline).map { Double($0.events - $1) / window }

        let figures = Figures(
            plans: plans, readySeconds: ready, pageMillis: Self.summary(page), apiMillis: Self.summary(api), streams: streams,
            statusEventsPublished: total, statusEventsPerSecond: Double(total) / published,
            sseEventsPerStream: ["min_per_s": perStream.min() ?? 0, "max_per_s": perStream.max() ?? 0,
                                 "mean_per_s": perStream.reduce(0, +) / Double(max(1, perStream.count))],
            lastStatusShownAfterSeconds: lastShown)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(figures), as: UTF8.self))
        } else {
            print("""
                plans \(plans), console ready after \(String(format: "%.1f", ready)) s
                GET /plans      p50 \(f(figures.pageMillis["p50"])) ms  p99 \(f(figures.pageMillis["p99"])) ms  max \(f(figures.pageMillis["max"])) ms
                GET /api/plans  p50 \(f(figures.apiMillis["p50"])) ms  p99 \(f(figures.apiMillis["p99"])) ms  max \(f(figures.apiMillis["max"])) ms
                status events: \(total) at \(String(format: "%.0f", figures.statusEventsPerSecond))/s; \(streams) streams got \
                \(f(figures.sseEventsPerStream["min_per_s"]))–\(f(figures.sseEventsPerStream["max_per_s"])) events/s each; \
                last status shown \(lastShown.map { String(format: "%.2f s", $0) } ?? "never (120 s)") after publishing ended
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

/// Counts events (`event:` lines: the first `plans`, then `changed`) arriving on one stream.
final class SSECounter: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var tail = Data()

    var events: Int { lock.withLock { count } }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.withLock {
            // Keep a few bytes of the previous chunk so a marker split across chunks is counted.
            let text = String(decoding: tail + data, as: UTF8.self)
            count += text.components(separatedBy: "\nevent: ").count - 1 + (text.hasPrefix("event: ") && tail.isEmpty ? 1 : 0)
            tail = data.suffix(8)
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
