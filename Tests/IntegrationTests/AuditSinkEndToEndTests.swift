import Foundation
import Logging
import MeshAudit
import MeshKafka
import MeshSigning
import MeshTestSupport
import MeshTransport
import MeshWire
import XCTest

/// `mesh-audit-sink` and `meshctl audit` as real processes against `meshctl broker`.
final class AuditSinkEndToEndTests: XCTestCase {
    var mesh: AuditSinkMesh!

    override func setUp() async throws {
        mesh = try await AuditSinkMesh.start()
    }

    override func tearDown() async throws {
        mesh?.shutdown()
    }

    func testSQLiteSinkStoresEveryEnvelopeOnceFlagsBadOnesAndTheCLIReadsTheTrail() async throws {
        let store = "sqlite:" + mesh.workspace.url.appendingPathComponent("audit.sqlite").path
        try await endToEnd(store: store)
    }

    func testPostgresSinkStoresEveryEnvelopeOnceAndTheCLIReadsTheTrail() async throws {
        let url = try AuditSinkPostgres.url()
        let schema = "it_" + String(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16))
        defer { try? PostgresAuditAdmin.dropSchema(url: url, schema: schema) }
        try await endToEnd(store: url + (url.contains("?") ? "&" : "?") + "schema=" + schema)
    }

    /// The shared scenario: one traced objective, filler traffic on many topics, a redelivered
    /// duplicate, garbage bytes and a forged signature.
    private func endToEnd(store: String) async throws {
        let sink = try mesh.startSink(store: store, extra: ["--checkpoint-records", "25"])
        let scenario = try await mesh.publishScenario(correlationID: "obj-e2e", fillers: 40)
        let reader = try mesh.openStore(store)
        let expected = scenario.envelopeIDs.count + 2
        try await eventually("the sink stored \(expected) records", timeout: .seconds(45)) {
            ((try? reader.count) ?? 0) >= expected
        }
        sink.signal(SIGTERM)
        let stopped = await sink.waitForExit(timeout: .seconds(10))
        XCTAssertTrue(stopped, "the sink stops within 10 s of SIGTERM")
        XCTAssertEqual(sink.exitCode, 0, sink.stderr)
        XCTAssertTrue(sink.stderr.contains("audit sink stopped"), sink.stderr)
        XCTAssertTrue(sink.stderr.contains("storing a record that failed verification"), "rejections are logged: \(sink.stderr)")

        // Every envelope exactly once (the duplicate publish was skipped), bad ones flagged.
        let records = try reader.search(.all)
        XCTAssertEqual(records.count, expected)
        let ids = records.map(\.input.envelopeID).filter { !$0.isEmpty }
        XCTAssertEqual(ids.count, Set(ids).count, "no envelope stored twice")
        XCTAssertEqual(Set(ids), Set(scenario.envelopeIDs))
        XCTAssertTrue(records.filter { !$0.input.envelopeID.isEmpty }.allSatisfy { $0.input.verification.isVerified })
        let rejected = records.filter { !$0.input.verification.isVerified }
        XCTAssertEqual(rejected.count, 2)
        XCTAssertTrue(rejected.contains { $0.input.verification.reason?.hasPrefix("malformed") == true && $0.input.raw == Array("not an envelope".utf8) },
                      "\(rejected.map(\.input.verification))")
        let forged = try XCTUnwrap(rejected.first { $0.input.verification.reason?.hasPrefix("bad-signature") == true },
                                   "\(rejected.map(\.input.verification))")
        XCTAssertTrue(forged.input.verification.reason?.contains(scenario.forgedID) == true)
        XCTAssertEqual(forged.input.correlationID, "obj-e2e", "a forgery's claimed fields are indexed")
        XCTAssertEqual(forged.input.kafka.topic, "mesh.verdicts")

        // verify
        let verify = try await mesh.meshctl(["audit", "verify", "--store", store])
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
        XCTAssertTrue(verify.stdout.contains("OK: valid: \(expected) record(s)"), verify.stdout)

        // trace: the causal tree with payload details
        let trace = try await mesh.meshctl(["audit", "trace", "obj-e2e", "--store", store])
        XCTAssertEqual(trace.status, 0, trace.stderr)
        let lines = trace.stdout.split(separator: "\n").map(String.init)
        func depth(of envelopeID: String) throws -> Int {
            let line = try XCTUnwrap(lines.first { $0.contains("id=\(envelopeID)") }, trace.stdout)
            return line.prefix { $0 == " " }.count / 2
        }
        XCTAssertEqual(try depth(of: scenario.objective), 0)
        XCTAssertEqual(try depth(of: scenario.assigned), 1)
        XCTAssertEqual(try depth(of: scenario.result), 2)
        XCTAssertEqual(try depth(of: scenario.verdict), 3)
        XCTAssertEqual(try depth(of: scenario.approvalRequest), 3)
        XCTAssertEqual(try depth(of: scenario.approvalDecision), 4)
        for expectedText in [
            "correlation obj-e2e: 7 record(s), 1 REJECTED",
            "objective \"Add audit export\" submitted by alice",
            "signed by reviewer", "review verdict on task task-1 (attempt 1): request_changes by r-1, 1 finding(s)",
            "finding [high] PHI-001: patient name in log line (Sources/App/Log.swift:12)",
            "approval appr-1: approve signed by alice (\"Alice Example\"), meaning \"approved\"",
            "from /mesh/approver/alice signed by alice", "[REJECTED: bad-signature",
        ] {
            XCTAssertTrue(trace.stdout.contains(expectedText), "missing \(expectedText) in\n\(trace.stdout)")
        }
        let traceJSON = try await mesh.meshctl(["audit", "trace", "obj-e2e", "--json", "--store", store])
        XCTAssertEqual(traceJSON.status, 0, traceJSON.stderr)
        let tree = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(traceJSON.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(tree["recordCount"] as? Int, 7)
        let roots = try XCTUnwrap(tree["roots"] as? [[String: Any]])
        let objectiveNode = try XCTUnwrap(roots.first { $0["envelopeId"] as? String == scenario.objective })
        let assignedNode = try XCTUnwrap((objectiveNode["children"] as? [[String: Any]])?.first)
        let resultNode = try XCTUnwrap((assignedNode["children"] as? [[String: Any]])?.first)
        let resultChildren = try XCTUnwrap(resultNode["children"] as? [[String: Any]])
        let verdictNode = try XCTUnwrap(resultChildren.first { $0["envelopeId"] as? String == scenario.verdict })
        let verdictPayload = try XCTUnwrap(verdictNode["payload"] as? [String: Any])
        XCTAssertEqual((verdictPayload["fields"] as? [String: String])?["decision"], "request_changes")
        XCTAssertEqual((verdictPayload["findings"] as? [[String: String]])?.first?["rule"], "PHI-001")
        XCTAssertEqual(verdictNode["signerPrincipal"] as? String, "reviewer")

        // search
        let verdicts = try await mesh.searchJSON(["--type", "agentmesh.verdict.v1", "--store", store])
        XCTAssertEqual(verdicts.count, 2, "the genuine verdict and the forged one")
        let genuineVerdicts = try await mesh.searchJSON(["--type", "agentmesh.verdict.v1", "--verified", "--store", store])
        XCTAssertEqual(genuineVerdicts.map { $0["envelopeId"] as? String }, [scenario.verdict])
        let codingResults = try await mesh.searchJSON(["--role", "coding", "--limit", "1000", "--store", store])
        XCTAssertEqual(codingResults.count, scenario.codingEnvelopes)
        XCTAssertTrue(codingResults.allSatisfy { ($0["source"] as? String)?.hasPrefix("/mesh/coding/") == true })
        let flagged = try await mesh.searchJSON(["--rejected", "--store", store])
        XCTAssertEqual(flagged.count, 2)
        let limited = try await mesh.searchJSON(["--limit", "5", "--store", store])
        XCTAssertEqual(limited.count, 5)
        let future = try await mesh.searchJSON(["--since", "2100-01-01T00:00:00Z", "--store", store])
        XCTAssertEqual(future.count, 0)
        let recent = try await mesh.searchJSON(["--since", "2020-01-01T00:00:00Z", "--correlation", "obj-e2e", "--store", store])
        XCTAssertEqual(recent.count, 7)
        let table = try await mesh.meshctl(["audit", "search", "--subject", "task-1", "--store", store])
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssertTrue(table.stdout.hasPrefix("SEQ"), table.stdout)

        // export, parsed back
        let file = mesh.workspace.url.appendingPathComponent("trail.jsonl")
        let export = try await mesh.meshctl(["audit", "export", "--format", "jsonl", "--output", file.path, "--store", store])
        XCTAssertEqual(export.status, 0, export.stdout + export.stderr)
        let exported = try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map {
            try XCTUnwrap(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        XCTAssertEqual(exported.first?["kind"] as? String, "header")
        XCTAssertEqual((exported.first?["verification"] as? [String: Any])?["valid"] as? Bool, true)
        XCTAssertNotNil(exported.first?["lastCheckpoint"] as? [String: Any], "the newest checkpoint is in the header")
        XCTAssertEqual(exported.last?["kind"] as? String, "trailer")
        XCTAssertEqual(exported.last?["recordCount"] as? Int, expected)
        let exportedRecords = exported.filter { $0["kind"] as? String == "record" }
        XCTAssertEqual(exportedRecords.count, expected)
        let decodedIDs = try exportedRecords.compactMap { object -> String? in
            let raw = try XCTUnwrap(Data(base64Encoded: try XCTUnwrap(object["rawBase64"] as? String)))
            return AuditSinkMesh.envelopeID(of: [UInt8](raw))
        }
        XCTAssertEqual(Set(decodedIDs).intersection(scenario.envelopeIDs).count, scenario.envelopeIDs.count,
                       "the exported raw bytes are the envelopes")
        let csvFile = mesh.workspace.url.appendingPathComponent("trail.csv")
        let csv = try await mesh.meshctl(["audit", "export", "--format", "csv", "--output", csvFile.path, "--rejected", "--store", store])
        XCTAssertEqual(csv.status, 0, csv.stderr)
        XCTAssertTrue(try String(contentsOf: csvFile, encoding: .utf8).contains("bad-signature"))
    }

    func testTamperingWithTheSQLiteFileIsNamedByVerify() async throws {
        let path = mesh.workspace.url.appendingPathComponent("audit.sqlite").path
        let store = "sqlite:" + path
        let sink = try mesh.startSink(store: store, extra: ["--checkpoint-records", "5"])
        let published = try await mesh.publishFillers(count: 20, correlationPrefix: "tamper")
        let reader = try mesh.openStore(store)
        try await eventually("the sink stored 20 records", timeout: .seconds(45)) { ((try? reader.count) ?? 0) >= 20 }
        sink.signal(SIGTERM)
        _ = await sink.waitForExit(timeout: .seconds(10))
        XCTAssertEqual(sink.exitCode, 0, sink.stderr)
        XCTAssertEqual(Set(try reader.search(.all).map(\.input.envelopeID)), Set(published))
        let clean = try await mesh.meshctl(["audit", "verify", "--store", store])
        XCTAssertEqual(clean.status, 0, clean.stdout)

        // The triggers refuse the edit...
        let refused = try await runToCompletion(
            URL(fileURLWithPath: "/usr/bin/sqlite3"), [path, "UPDATE audit_records SET subject = 'forged' WHERE sequence = 7"],
            workingDirectory: mesh.workspace.url)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("append-only"), refused.stderr)
        // ...so an attacker drops them first, then edits a field.
        let tampered = try await runToCompletion(
            URL(fileURLWithPath: "/usr/bin/sqlite3"),
            [path, "DROP TRIGGER audit_records_no_update; UPDATE audit_records SET subject = 'forged' WHERE sequence = 7;"],
            workingDirectory: mesh.workspace.url)
        XCTAssertEqual(tampered.status, 0, tampered.stderr)
        let verify = try await mesh.meshctl(["audit", "verify", "--store", store])
        XCTAssertEqual(verify.status, 1, verify.stdout + verify.stderr)
        XCTAssertTrue(verify.stdout.contains("INVALID: first bad record is sequence 7: content-changed"), verify.stdout)
        XCTAssertTrue(verify.stdout.contains("subject") || verify.stdout.contains("sequence 7"), verify.stdout)
        let json = try await mesh.meshctl(["audit", "verify", "--json", "--store", store])
        XCTAssertEqual(json.status, 1)
        let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(report["valid"] as? Bool, false)
        XCTAssertEqual((report["failures"] as? [[String: Any]])?.first?["sequence"] as? Int, 7)
        XCTAssertEqual((report["firstBadRecord"] as? [String: Any])?["subject"] as? String, "forged")
        // An export still works and says so in its header, exiting 1.
        let export = try await mesh.meshctl(["audit", "export", "--format", "jsonl", "--output",
                                             mesh.workspace.url.appendingPathComponent("t.jsonl").path, "--store", store])
        XCTAssertEqual(export.status, 1)
        XCTAssertTrue(export.stderr.contains("does NOT verify"), export.stderr)
    }

    func testSIGTERMStoresEverythingReceivedCommitsAndExitsZero() async throws {
        let store = "sqlite:" + mesh.workspace.url.appendingPathComponent("audit.sqlite").path
        let reader = try mesh.openStore(store)
        let first = try mesh.startSink(store: store, extra: ["--batch-size", "50", "--batch-wait-ms", "200"])
        let total = 600
        let producing = Task { try await self.mesh.publishFillers(count: total, correlationPrefix: "term", pause: .milliseconds(5)) }
        try await eventually("the sink is storing", timeout: .seconds(45)) { ((try? reader.count) ?? 0) >= 50 }
        first.signal(SIGTERM)
        let start = ContinuousClock.now
        let stopped = await first.waitForExit(timeout: .seconds(10))
        XCTAssertTrue(stopped, "exits within 10 s")
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5), "exits within a few seconds")
        XCTAssertEqual(first.exitCode, 0, first.stderr)
        let firstStop = try XCTUnwrap(AuditSinkMesh.counters(in: first.stderr, message: "audit sink stopped"), first.stderr)
        XCTAssertEqual(firstStop["received"], firstStop["stored"]! + firstStop["duplicates"]!)
        XCTAssertEqual(try reader.count, firstStop["stored"], "everything received was stored before exit")

        let published = try await producing.value
        let second = try mesh.startSink(store: store)
        try await eventually("the restarted sink stored the rest", timeout: .seconds(45)) { ((try? reader.count) ?? 0) >= total }
        second.signal(SIGTERM)
        _ = await second.waitForExit(timeout: .seconds(10))
        XCTAssertEqual(second.exitCode, 0, second.stderr)
        let secondStop = try XCTUnwrap(AuditSinkMesh.counters(in: second.stderr, message: "audit sink stopped"), second.stderr)
        XCTAssertEqual(secondStop["duplicates"], 0, "the first sink committed exactly what it stored: nothing was redelivered")
        let ids = try reader.search(.all).map(\.input.envelopeID)
        XCTAssertEqual(ids.count, total)
        XCTAssertEqual(Set(ids), Set(published))
    }
}

/// A bad store URL is refused before anything connects.
final class AuditSinkStoreOptionTests: XCTestCase {
    func testABadStoreValueFailsFastWithTheAcceptedForms() async throws {
        let workspace = try TemporaryDirectory()
        defer { workspace.remove() }
        for bad in ["mysql://x/y", "sqlite:", "postgresql:///nohost", "postgresql://h/db?schema=Bad-Name"] {
            let start = ContinuousClock.now
            let run = try await runToCompletion(
                try Executables.url("mesh-audit-sink"), ["--store", bad, "--home", workspace.path], workingDirectory: workspace.url,
                timeout: .seconds(20))
            XCTAssertNotEqual(run.status, 0, bad)
            XCTAssertTrue(run.stderr.contains("sqlite:PATH") && run.stderr.contains("postgresql://"), run.stderr)
            XCTAssertLessThan(ContinuousClock.now - start, .seconds(5))
        }
        let meshctl = try await runToCompletion(
            try Executables.url("meshctl"), ["audit", "verify", "--store", "nope", "--home", workspace.path],
            workingDirectory: workspace.url)
        XCTAssertNotEqual(meshctl.status, 0)
        XCTAssertTrue(meshctl.stderr.contains("sqlite:PATH"), meshctl.stderr)
        let missing = try await runToCompletion(
            try Executables.url("meshctl"), ["audit", "verify", "--store", "sqlite:\(workspace.path)/none.sqlite", "--home", workspace.path],
            workingDirectory: workspace.url)
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("no audit store at"), missing.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "\(workspace.path)/none.sqlite"), "a reader never creates a store")
    }

    func testStoreLocationParsing() throws {
        XCTAssertEqual(try AuditStoreLocation(parsing: "sqlite:/tmp/a.sqlite"), .sqlite(path: "/tmp/a.sqlite"))
        XCTAssertEqual(try AuditStoreLocation(parsing: "sqlite:///tmp/a.sqlite"), .sqlite(path: "/tmp/a.sqlite"))
        XCTAssertEqual(try AuditStoreLocation(parsing: "sqlite:rel/a.sqlite"), .sqlite(path: "rel/a.sqlite"))
        XCTAssertEqual(try AuditStoreLocation(parsing: "postgresql://u:p@h:5432/db"),
                       .postgres(url: "postgresql://u:p@h:5432/db", schema: "agentmesh_audit"))
        XCTAssertEqual(try AuditStoreLocation(parsing: "postgres://u@h/db?sslmode=require&schema=audit_2"),
                       .postgres(url: "postgres://u@h/db?sslmode=require", schema: "audit_2"))
        XCTAssertFalse(try AuditStoreLocation(parsing: "postgresql://u:secret@h/db").description.contains("secret"))
        XCTAssertEqual(try AuditStoreLocation.resolve(nil, home: URL(fileURLWithPath: "/h"), environment: [:]),
                       .sqlite(path: "/h/audit.sqlite"))
        XCTAssertEqual(try AuditStoreLocation.resolve(nil, home: URL(fileURLWithPath: "/h"), environment: ["AGENTMESH_AUDIT_STORE": "sqlite:/e.db"]),
                       .sqlite(path: "/e.db"))
        XCTAssertThrowsError(try AuditStoreLocation(parsing: "/just/a/path"))
    }
}

// MARK: - Harness

/// A broker, a key ring and helpers to run the sink and `meshctl audit` against them.
final class AuditSinkMesh: @unchecked Sendable {
    let workspace: TemporaryDirectory
    let broker: ChildProcess
    private(set) var sinks: [ChildProcess] = []
    private var producer: KafkaProducer?
    private var sealers: [String: EnvelopeSealer] = [:]
    private let lock = NSLock()

    var home: String { workspace.url.appendingPathComponent(".agentmesh").path }
    var catalogPath: String { repositoryRoot().appendingPathComponent("Topics").path }

    private init(workspace: TemporaryDirectory, broker: ChildProcess) {
        self.workspace = workspace
        self.broker = broker
    }

    static func start() async throws -> AuditSinkMesh {
        let workspace = try TemporaryDirectory("agentmesh-audit-sink")
        let home = workspace.url.appendingPathComponent(".agentmesh").path
        let broker = try ChildProcess(
            try Executables.url("meshctl"),
            ["broker", "--catalog", repositoryRoot().appendingPathComponent("Topics").path, "--home", home],
            name: "broker", workingDirectory: workspace.url)
        let mesh = AuditSinkMesh(workspace: workspace, broker: broker)
        try await eventually("the broker wrote its bootstrap file") {
            FileManager.default.fileExists(atPath: home + "/broker.properties")
        }
        let keys = try await mesh.meshctl(["keys", "init", "--catalog", mesh.catalogPath, "--people", "alice"])
        guard keys.status == 0 else { throw HarnessError("keys init failed: \(keys.stderr)") }
        return mesh
    }

    func shutdown() {
        lock.withLock { sinks }.forEach { $0.stop() }
        producer?.close(timeout: .seconds(5))
        broker.stop()
        workspace.remove()
    }

    /// Starts `mesh-audit-sink` on `store`; `extra` options override the test defaults.
    func startSink(store: String, extra: [String] = []) throws -> ChildProcess {
        var arguments = ["--store", store, "--home", home, "--catalog", catalogPath]
        // No agent card: these tests count the records stored exactly, and the sink stores its
        // own cards like every other record (`AgentCardTests` checks the sink's card).
        let defaults = ["--batch-wait-ms": "20", "--stats-seconds": "2", "--card-seconds": "0"]
        for (option, value) in defaults.sorted(by: { $0.key < $1.key }) where !extra.contains(option) {
            arguments += [option, value]
        }
        let sink = try ChildProcess(
            try Executables.url("mesh-audit-sink"), arguments + extra, name: "sink", workingDirectory: workspace.url)
        lock.withLock { sinks.append(sink) }
        return sink
    }

    func meshctl(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await runToCompletion(try Executables.url("meshctl"), arguments + ["--home", home], workingDirectory: workspace.url)
    }

    func searchJSON(_ arguments: [String]) async throws -> [[String: Any]] {
        let run = try await meshctl(["audit", "search", "--json"] + arguments)
        guard run.status == 0 else { throw HarnessError("search \(arguments) failed: \(run.stderr)") }
        guard let array = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]] else {
            throw HarnessError("search output is not a JSON array: \(run.stdout)")
        }
        return array
    }

    /// The store as the test reads it (never appended to by the test).
    func openStore(_ store: String) throws -> AuditStore {
        let metadata = KeyMetadata(keyId: "test-reader", algorithm: .ed25519, principal: "test", principalKind: .role)
        let signer = MessageSigner(metadata: metadata, ed25519: try Ed25519PrivateKey.generate())
        return try AuditStoreLocation(parsing: store).open(configuration: AuditStoreConfiguration(signer: signer))
    }

    private func kafkaProducer() throws -> KafkaProducer {
        try lock.withLock {
            if let producer { return producer }
            let created = try KafkaProducer(configuration: try MeshEnvironment(home: home).kafkaConfiguration(), logger: Logger(label: "test"))
            producer = created
            return created
        }
    }

    func sealer(_ principal: String) throws -> EnvelopeSealer {
        try lock.withLock {
            if let sealer = sealers[principal] { return sealer }
            let sealer = EnvelopeSealer(signer: try KeyRingStore.loadSigner(principal: principal, from: home + "/keys"))
            sealers[principal] = sealer
            return sealer
        }
    }

    @discardableResult
    func publish(_ envelope: Envelope, to topic: String, as principal: String) async throws -> Envelope {
        try await MeshPublisher(producer: try kafkaProducer(), sealer: try sealer(principal)).publish(envelope, to: topic)
        return envelope
    }

    func publishRaw(_ bytes: [UInt8], to topic: String, key: String) async throws {
        _ = try await kafkaProducer().send(OutgoingMessage(topic: topic, key: Array(key.utf8), value: bytes))
    }

    /// Task results from the coding role on mesh.results; returns their ids.
    func publishFillers(count: Int, correlationPrefix: String, pause: Duration? = nil) async throws -> [String] {
        var ids: [String] = []
        for index in 0..<count {
            let envelope = Envelope(
                source: "/mesh/coding/agent-\(index % 3)", correlationID: "\(correlationPrefix)-\(index % 10)", subject: "task-\(index)",
                payload: .taskResult(TaskResult(taskID: "task-\(index)", planID: "plan-\(index % 10)", state: .completed, agentID: "agent-\(index % 3)")))
            try await publish(envelope, to: "mesh.results", as: "coding")
            ids.append(envelope.id)
            if let pause { try await Task.sleep(for: pause) }
        }
        return ids
    }

    struct Scenario {
        var objective = "", assigned = "", result = "", verdict = "", approvalRequest = "", approvalDecision = ""
        var forgedID = ""
        /// Every genuine envelope published (each once, though one was published twice).
        var envelopeIDs: [String] = []
        var codingEnvelopes = 0
    }

    /// One objective through assignment, result, review verdict and human approval, plus
    /// filler traffic on several topics, a duplicate publish, garbage and a forgery.
    func publishScenario(correlationID: String, fillers: Int) async throws -> Scenario {
        var scenario = Scenario()
        let objective = try await publish(Envelope(
            source: "/mesh/meshctl/cli", correlationID: correlationID, subject: correlationID,
            payload: .objectiveSubmitted(ObjectiveSubmitted(
                objectiveID: correlationID, title: "Add audit export", playbook: "feature", submittedBy: "alice"))),
            to: "mesh.objectives", as: "meshctl")
        let assigned = try await publish(Envelope(
            causedBy: objective, source: "/mesh/orchestrator/o-1", subject: "task-1",
            payload: .taskAssigned(TaskAssigned(taskID: "task-1", planID: "plan-1", role: "coding"))),
            to: "mesh.tasks.coding", as: "orchestrator")
        let result = Envelope(
            causedBy: assigned, source: "/mesh/coding/agent-1", subject: "task-1",
            payload: .taskResult(TaskResult(taskID: "task-1", planID: "plan-1", state: .completed, summary: "export added", agentID: "agent-1")))
        // Published twice with identical bytes, as a producer retry would: stored once.
        let resultRecord = try MeshPublisher(producer: try kafkaProducer(), sealer: try sealer("coding")).record(result, topic: "mesh.results")
        _ = try await kafkaProducer().send(resultRecord)
        _ = try await kafkaProducer().send(resultRecord)
        let verdict = try await publish(Envelope(
            causedBy: result, source: "/mesh/reviewer/r-1", subject: "task-1",
            payload: .verdict(Verdict(
                taskID: "task-1", planID: "plan-1", kind: .review, decision: .requestChanges,
                findings: [Finding(ruleID: "PHI-001", severity: .high, message: "patient name in log line", location: "Sources/App/Log.swift:12")],
                resultEnvelopeID: result.id, decidedByRules: ["PHI-001"], reviewerID: "r-1"))),
            to: "mesh.verdicts", as: "reviewer")
        let digest = [UInt8](repeating: 0xAB, count: 32)
        let request = try await publish(Envelope(
            causedBy: result, source: "/mesh/orchestrator/o-1", subject: "appr-1",
            payload: .approvalRequested(ApprovalRequested(
                approvalID: "appr-1", taskID: "task-1", planID: "plan-1", resultEnvelopeID: result.id, resultSHA256: digest,
                reason: "risk class high", authorID: "agent-1"))),
            to: "mesh.approvals", as: "orchestrator")
        let decision = try await publish(Envelope(
            causedBy: request, source: "/mesh/approver/alice", subject: "appr-1",
            payload: .approvalDecision(ApprovalDecision(
                approvalID: "appr-1", decision: .approve, signerID: "alice", printedName: "Alice Example", meaning: "approved",
                signedAtUnixMicros: WallClock.nowUnixMicros(), resultSHA256: digest))),
            to: "mesh.approvals", as: "alice")
        scenario.objective = objective.id
        scenario.assigned = assigned.id
        scenario.result = result.id
        scenario.verdict = verdict.id
        scenario.approvalRequest = request.id
        scenario.approvalDecision = decision.id
        scenario.envelopeIDs = [objective.id, assigned.id, result.id, verdict.id, request.id, decision.id]
        scenario.codingEnvelopes = 1

        // Filler traffic: several types on several topics and partitions.
        for index in 0..<fillers {
            let correlation = "fill-\(index % 7)"
            let envelope: Envelope
            switch index % 4 {
            case 0:
                envelope = try await publish(Envelope(
                    source: "/mesh/coding/agent-2", correlationID: correlation, subject: "t-\(index)",
                    payload: .taskResult(TaskResult(taskID: "t-\(index)", planID: "p-\(index)", state: .failed, error: "boom", agentID: "agent-2"))),
                    to: "mesh.results", as: "coding")
                scenario.codingEnvelopes += 1
            case 1:
                envelope = try await publish(Envelope(
                    source: "/mesh/testing/agent-9", correlationID: "agent-9",
                    payload: .agentHeartbeat(AgentHeartbeat(agentID: "agent-9", role: "testing", processed: UInt64(index)))),
                    to: "mesh.agents", as: "testing")
            case 2:
                envelope = try await publish(Envelope(
                    source: "/mesh/orchestrator/o-1", correlationID: correlation, subject: "p-\(index)",
                    payload: .planStatus(PlanStatus(planID: "p-\(index)", detail: "working"))),
                    to: "mesh.plans", as: "orchestrator")
            default:
                envelope = try await publish(Envelope(
                    source: "/mesh/meshctl/cli", correlationID: correlation,
                    payload: .objectiveSubmitted(ObjectiveSubmitted(objectiveID: correlation, title: "filler \(index)", playbook: "feature", submittedBy: "bob"))),
                    to: "mesh.objectives", as: "meshctl")
            }
            scenario.envelopeIDs.append(envelope.id)
        }

        // Garbage, and a verdict whose signature was tampered with after sealing.
        try await publishRaw(Array("not an envelope".utf8), to: "mesh.results", key: "obj-x")
        let forged = Envelope(
            causedBy: result, source: "/mesh/reviewer/r-1", subject: "task-1",
            payload: .verdict(Verdict(taskID: "task-1", planID: "plan-1", kind: .review, decision: .approve,
                                      resultEnvelopeID: result.id, reviewerID: "r-1")))
        let codec = EnvelopeCodec()
        var sealed = try codec.decodeSealed(try sealer("reviewer").seal(forged))
        sealed.signatures[0].signature[0] ^= 0xFF
        try await publishRaw(try codec.encode(sealed), to: "mesh.verdicts", key: correlationID)
        scenario.forgedID = forged.id
        return scenario
    }

    /// The envelope id inside sealed bytes, if they decode.
    static func envelopeID(of raw: [UInt8]) -> String? {
        let codec = EnvelopeCodec()
        guard let sealed = try? codec.decodeSealed(raw), let envelope = try? codec.decode(sealed.envelope) else { return nil }
        return envelope.id
    }

    /// The integer fields of the last log line with this message.
    static func counters(in log: String, message: String) -> [String: Int]? {
        guard let line = log.split(separator: "\n").last(where: { $0.contains("msg=\"\(message)\"") }) else { return nil }
        var result: [String: Int] = [:]
        for token in line.split(separator: " ") {
            let parts = token.split(separator: "=", maxSplits: 1)
            if parts.count == 2, let value = Int(parts[1]) { result[String(parts[0])] = value }
        }
        return result
    }
}

/// The PostgreSQL test server (see scripts/postgres-test-server.sh).
enum AuditSinkPostgres {
    static func url(file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["AGENTMESH_TEST_POSTGRES_URL"], !url.isEmpty { return url }
        if environment["AGENTMESH_SKIP_POSTGRES"] == "1" { throw XCTSkip("PostgreSQL tests skipped: AGENTMESH_SKIP_POSTGRES=1") }
        XCTFail("""
            AGENTMESH_TEST_POSTGRES_URL is not set, so the PostgreSQL end-to-end test of the audit sink cannot run. Start the test server with
                eval "$(scripts/postgres-test-server.sh start | grep '^AGENTMESH_TEST_POSTGRES_URL=')"; export AGENTMESH_TEST_POSTGRES_URL
            and run the tests again (or set AGENTMESH_SKIP_POSTGRES=1 to skip it explicitly).
            """, file: file, line: line)
        throw HarnessError("AGENTMESH_TEST_POSTGRES_URL is not set")
    }
}
