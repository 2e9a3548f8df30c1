import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MeshKafka
import MeshSigning
import MeshTestSupport
import MeshTransport
import MeshWire
import XCTest

/// A running `mesh-console` on a `MeshHarness` mesh, with its users file, and an HTTP client
/// per person that keeps its own cookies and never follows redirects (so tests see the 303s).
final class ConsoleHarness: @unchecked Sendable {
    let mesh: MeshHarness
    let usersFile: String
    private(set) var process: ChildProcess?
    private(set) var port = 0

    /// A mesh running the `approval` playbook with one coding agent and an audit sink, and a
    /// console with an approver (alice, "Alice Example"), a viewer (victor), an operator
    /// (mallory) and an auditor (ada); three wrong passwords lock an account.
    static func onApprovalMesh() async throws -> ConsoleHarness {
        let playbooks = try TemporaryDirectory("playbooks")
        try FileManager.default.copyItem(
            at: MeshHarness.root.appendingPathComponent("Playbooks/approval.yaml"),
            to: playbooks.url.appendingPathComponent("approval.yaml"))
        let mesh = try await MeshHarness(playbooks: playbooks.path)
        try mesh.startStandardMesh(agentRoles: ["coding"])
        let console = ConsoleHarness(mesh: mesh)
        try mesh.start("audit-sink-1", "mesh-audit-sink", ["--store", console.auditStore])
        try await console.addUser("alice", role: "approver", password: "alice-password", printedName: "Alice Example")
        try await console.addUser("victor", role: "viewer", password: "victor-password")
        try await console.addUser("mallory", role: "operator", password: "mallory-password")
        try await console.addUser("ada", role: "auditor", password: "ada-password")
        try await console.start(maxFailures: 3)
        return console
    }

    /// A console on `mesh`; consoles on one mesh share the users file, as replicas do.
    init(mesh: MeshHarness) {
        self.mesh = mesh
        usersFile = mesh.workspace.url.appendingPathComponent("console-users.json").path
    }

    /// `mesh-console users add`, the password on stdin as an operator would pipe it.
    func addUser(_ name: String, role: String, password: String, printedName: String? = nil) async throws {
        let console = try Executables.url("mesh-console").path
        var command = "printf '%s\\n' '\(password)' | '\(console)' users add \(name) --role \(role) --users '\(usersFile)' --home '\(mesh.home)'"
        if let printedName { command += " --printed-name '\(printedName)'" }
        let run = try await runToCompletion(URL(fileURLWithPath: "/bin/sh"), ["-c", command], workingDirectory: mesh.workspace.url)
        guard run.status == 0 else { throw HarnessError("users add \(name) failed: \(run.stdout)\(run.stderr)") }
    }

    var tokensFile: String { mesh.workspace.url.appendingPathComponent("console-tokens.json").path }

    /// `mesh-console tokens …` on this console's tokens file.
    func tokens(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await runToCompletion(try Executables.url("mesh-console"), ["tokens"] + arguments + ["--tokens", tokensFile],
                                  workingDirectory: mesh.workspace.url)
    }

    /// Issues a token and returns its bearer value.
    func addToken(_ client: String, role: String) async throws -> String {
        let run = try await tokens(["add", client, "--role", role])
        guard run.status == 0 else { throw HarnessError("tokens add \(client) failed: \(run.stdout)\(run.stderr)") }
        return run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Where the audit sink of `onApprovalMesh` writes and the console reads history from.
    var auditStore: String { "sqlite:" + mesh.workspace.url.appendingPathComponent("audit.sqlite").path }

    func start(maxFailures: Int = 3, idleTimeout: Int = 900) async throws {
        let child = try ChildProcess(
            try Executables.url("mesh-console"),
            ["serve", "--port", "0", "--users", usersFile, "--home", mesh.home, "--insecure-cookies",
             "--audit-store", auditStore, "--tokens", tokensFile, "--catalog", MeshHarness.root.appendingPathComponent("Topics").path,
             "--policies", MeshHarness.root.appendingPathComponent("Policies").path,
             "--max-failures", String(maxFailures), "--idle-timeout", String(idleTimeout), "--refresh-ms", "200",
             "--instance", "test-\(UUID().uuidString.prefix(4))"],
            name: "console", workingDirectory: mesh.workspace.url)
        process = child
        try await eventually("the console logs its port") {
            guard let range = child.stderr.range(of: "console_port=") else { return false }
            port = Int(child.stderr[range.upperBound...].prefix { $0.isNumber }) ?? 0
            return port != 0
        }
    }

    func stop() { process?.stop() }

    func browser(keepsCookies: Bool = true) -> ConsoleBrowser {
        ConsoleBrowser(base: URL(string: "http://127.0.0.1:\(port)")!, keepsCookies: keepsCookies)
    }

    /// Every verified record on mesh.operations now.
    func operations() async throws -> [Envelope] {
        let configuration = try mesh.kafkaConfiguration()
        let opener = EnvelopeOpener(trust: try KeyRingStore.loadTrustStore(from: mesh.keys))
        return try await TopicReader.readToEnd("mesh.operations", configuration: configuration, logger: mesh.logger)
            .compactMap { try? opener.open($0.value).get().envelope }
    }

    /// The console records of `mode` by `person` on mesh.operations.
    func operations(_ mode: String, by person: String) async throws -> [ReplayRequested] {
        try await operations().compactMap {
            guard case .replayRequested(let record) = $0.payload, record.mode == mode, record.requestedBy == person else { return nil }
            return record
        }
    }
}

/// One person's HTTP client: a cookie jar and no automatic redirects.
final class ConsoleBrowser: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    let base: URL
    /// False for a probe that must not renew its session by storing the refreshed cookie.
    let keepsCookies: Bool
    var cookies: [String: String] = [:]
    private lazy var session = URLSession(configuration: {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        return configuration
    }(), delegate: self, delegateQueue: nil)

    struct Reply {
        let status: Int
        let body: String
        let headers: [String: String]
        let setCookies: [String]
        var json: Any? { try? JSONSerialization.jsonObject(with: Data(body.utf8)) }
        var errorCode: String? { ((json as? [String: Any])?["error"] as? [String: Any])?["code"] as? String }
    }

    init(base: URL, keepsCookies: Bool) {
        self.base = base
        self.keepsCookies = keepsCookies
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)
    }

    func get(_ path: String) async throws -> Reply { try await send("GET", path) }

    func postForm(_ path: String, _ fields: [String: String]) async throws -> Reply {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = fields.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&")
        return try await send("POST", path, body: Data(body.utf8), contentType: "application/x-www-form-urlencoded")
    }

    func postJSON(_ path: String, _ object: [String: Any], csrf: String?) async throws -> Reply {
        try await send("POST", path, body: try JSONSerialization.data(withJSONObject: object), contentType: "application/json",
                       headers: csrf.map { ["X-CSRF-Token": $0] } ?? [:])
    }

    /// Signs in through the form, as a browser does: fetch the form (its CSRF cookie and field), post it.
    func signIn(_ user: String, _ password: String) async throws -> Reply {
        let form = try await get("/login")
        return try await postForm("/login", ["csrf": try Self.field("csrf", in: form.body), "user": user, "password": password, "next": "/plans"])
    }

    /// The session's CSRF token, from the API.
    func csrf() async throws -> String {
        let reply = try await get("/api/session")
        guard let token = (reply.json as? [String: Any])?["csrf"] as? String else { throw HarnessError("no session: \(reply.body)") }
        return token
    }

    static func field(_ name: String, in html: String) throws -> String {
        guard let range = html.range(of: "name=\"\(name)\" value=\"") else { throw HarnessError("no \(name) field in \(html)") }
        return String(html[range.upperBound...].prefix { $0 != "\"" })
    }

    /// A machine client's request: `Authorization: Bearer`, no cookies, optional JSON body.
    func send(_ method: String, _ path: String, bearer: String, json: [String: Any]? = nil) async throws -> Reply {
        let saved = cookies
        cookies = [:]
        defer { cookies = saved }
        return try await send(method, path, body: try json.map { try JSONSerialization.data(withJSONObject: $0) },
                              contentType: json == nil ? nil : "application/json", headers: ["Authorization": "Bearer \(bearer)"])
    }

    private func send(_ method: String, _ path: String, body: Data? = nil, contentType: String? = nil,
                      headers: [String: String] = [:]) async throws -> Reply {
        var request = URLRequest(url: URL(string: path, relativeTo: base)!)
        request.httpMethod = method
        request.httpBody = body
        if let contentType { request.setValue(contentType, forHTTPHeaderField: "Content-Type") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if !cookies.isEmpty { request.setValue(cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "), forHTTPHeaderField: "Cookie") }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (key, value) in http.allHeaderFields { fields[String(describing: key).lowercased()] = String(describing: value) }
        // Foundation folds repeated Set-Cookie headers into one, comma-separated; attributes never hold commas here.
        let setCookies = (fields["set-cookie"] ?? "").components(separatedBy: ", ").filter { !$0.isEmpty }
        for cookie in setCookies where keepsCookies {
            let pair = cookie.split(separator: ";")[0].split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(pair[0]), value = pair.count > 1 ? String(pair[1]) : ""
            if cookie.contains("Max-Age=0") { cookies[name] = nil } else { cookies[name] = value }
        }
        return Reply(status: http.statusCode, body: String(decoding: data, as: UTF8.self), headers: fields, setCookies: setCookies)
    }
}
