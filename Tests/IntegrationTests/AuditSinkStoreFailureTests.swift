import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MeshAudit
import MeshTestSupport
import MeshTransport
import MeshWire
import XCTest

/// What `mesh-audit-sink` does when its database fails: a record the database refuses is
/// stored flagged after a bounded number of attempts while the sink keeps going (and
/// dead-lettered when even the flagged copy is refused); while the database is unavailable
/// the sink retries and reports not ready.
final class AuditSinkStoreFailureTests: XCTestCase {
    var mesh: AuditSinkMesh!

    override func setUp() async throws {
        mesh = try await AuditSinkMesh.start()
    }

    override func tearDown() async throws {
        mesh?.shutdown()
    }

    private func sqlite3(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await runToCompletion(URL(fileURLWithPath: "/usr/bin/sqlite3"), arguments, workingDirectory: mesh.workspace.url)
    }

    private func healthPort(_ sink: ChildProcess) async throws -> Int {
        var port: Int?
        try await eventually("the sink logs its health port") {
            guard let range = sink.stderr.range(of: "health_port=") else { return false }
            port = Int(sink.stderr[range.upperBound...].prefix { $0.isNumber })
            return port != nil
        }
        return port!
    }

    private func get(_ port: Int, _ path: String) async -> (status: Int, body: String)? {
        guard let (data, response) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)\(path)")!) else {
            return nil
        }
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// The sink's page must parse as Prometheus reads it (a parse error fails the test).
    private func metric(_ name: String, in body: String) -> Int? {
        do {
            return try PrometheusExposition(parsing: body).value(name, ["role": "audit-sink"]).map { Int($0) }
        } catch {
            XCTFail("the sink's /metrics does not parse: \(error)")
            return nil
        }
    }

    /// A sink on a fresh SQLite store with a site policy (`trigger`, added by the database
    /// owner) in place, and what was published to it: 10 fillers, one envelope about
    /// subject "poison", 10 more fillers.
    private struct PoisonRun {
        var store: String
        var reader: AuditStore
        var sink: ChildProcess
        var port: Int
        var before: [String]
        var poison: Envelope
        var after: [String]
    }

    private func publishPoisonAmidFillers(policy trigger: String) async throws -> PoisonRun {
        let path = mesh.workspace.url.appendingPathComponent("audit.sqlite").path
        let store = "sqlite:" + path
        let reader = try mesh.openStore(store)  // creates the schema
        let constraint = try await sqlite3([path, trigger])
        XCTAssertEqual(constraint.status, 0, constraint.stderr)
        let sink = try mesh.startSink(store: store, extra: ["--health-port", "0"])
        let port = try await healthPort(sink)

        let before = try await mesh.publishFillers(count: 10, correlationPrefix: "before")
        let poison = try await mesh.publish(Envelope(
            source: "/mesh/coding/agent-1", correlationID: "poisoned", subject: "poison",
            payload: .taskResult(TaskResult(taskID: "task-p", planID: "plan-p", state: .completed, agentID: "agent-1"))),
            to: "mesh.results", as: "coding")
        let after = try await mesh.publishFillers(count: 10, correlationPrefix: "after")
        return PoisonRun(store: store, reader: reader, sink: sink, port: port, before: before, poison: poison, after: after)
    }

    func testARecordTheDatabaseRefusesIsStoredFlaggedAndTheSinkKeepsGoing() async throws {
        // A constraint the database owner added: no record about subject "poison".
        let run = try await publishPoisonAmidFillers(policy: """
            CREATE TRIGGER refuse_poison BEFORE INSERT ON audit_records WHEN NEW.subject = 'poison'
            BEGIN SELECT RAISE(ABORT, 'subject poison refused by site policy'); END;
            """)
        let (store, reader, sink, port, before, poison, after) = (run.store, run.reader, run.sink, run.port, run.before, run.poison, run.after)
        try await eventually("the sink stored all 21 records", timeout: .seconds(45)) { ((try? reader.count) ?? 0) >= 21 }

        let records = try reader.search(.all)
        XCTAssertEqual(records.count, 21)
        XCTAssertEqual(Set(records.map(\.input.envelopeID).filter { !$0.isEmpty }), Set(before + after))
        let flagged = try XCTUnwrap(records.first { $0.input.envelopeID.isEmpty }, "the refused record is stored flagged")
        let reason = try XCTUnwrap(flagged.input.verification.reason)
        XCTAssertTrue(reason.hasPrefix("store-refused:"), reason)
        XCTAssertTrue(reason.contains("subject poison refused by site policy"), reason)
        XCTAssertTrue(reason.contains(poison.id), reason)
        XCTAssertEqual(AuditSinkMesh.envelopeID(of: flagged.input.raw), poison.id, "its exact bytes are kept")
        XCTAssertTrue(sink.isRunning, "the sink is still running")

        let fetched = await get(port, "/metrics")
        let metrics = try XCTUnwrap(fetched)
        XCTAssertEqual(metric("agentmesh_audit_records_store_refused_total", in: metrics.body), 1, metrics.body)
        XCTAssertEqual(metric("agentmesh_audit_records_dead_lettered_total", in: metrics.body), 0, metrics.body)
        XCTAssertGreaterThanOrEqual(metric("agentmesh_audit_store_errors_total", in: metrics.body) ?? 0, 3, metrics.body)
        let ready = await get(port, "/readyz")
        XCTAssertEqual(ready?.status, 200)
        XCTAssertTrue(sink.stderr.contains("stored it flagged"), sink.stderr)

        sink.signal(SIGTERM)
        _ = await sink.waitForExit(timeout: .seconds(10))
        XCTAssertEqual(sink.exitCode, 0, sink.stderr)
        let stop = try XCTUnwrap(AuditSinkMesh.counters(in: sink.stderr, message: "audit sink stopped"), sink.stderr)
        XCTAssertEqual(stop["store_refused"], 1)
        XCTAssertEqual(stop["stored"], 21)
        let verify = try await mesh.meshctl(["audit", "verify", "--store", store])
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
    }

    func testARecordRefusedEvenFlaggedIsDeadLetteredAndTheSinkKeepsGoing() async throws {
        // The site policy refuses the record as received AND its flagged stand-in (whose
        // reason quotes the first refusal), so the sink has nowhere to store it.
        let run = try await publishPoisonAmidFillers(policy: """
            CREATE TRIGGER refuse_poison BEFORE INSERT ON audit_records
            WHEN NEW.subject = 'poison' OR NEW.rejection_reason LIKE 'store-refused:%poison refused by site policy%'
            BEGIN SELECT RAISE(ABORT, 'poison refused by site policy'); END;
            """)
        let (store, reader, sink, port, before, poison, after) = (run.store, run.reader, run.sink, run.port, run.before, run.poison, run.after)
        try await eventually("the sink stored the 20 other records", timeout: .seconds(45)) { ((try? reader.count) ?? 0) >= 20 }

        // The refused record is on the dead-letter topic with its exact bytes and the reason.
        let deadLetters = try await readTopic("mesh.deadletter", home: mesh.home, count: 1, settle: .seconds(1))
        XCTAssertEqual(deadLetters.count, 1, "dead-lettered once")
        let letter = try XCTUnwrap(deadLetters.first)
        XCTAssertEqual(AuditSinkMesh.envelopeID(of: letter.value), poison.id)
        XCTAssertEqual(letter.headers.string(DeadLetterHeader.reason), "audit-store-refused")
        XCTAssertEqual(letter.headers.string(DeadLetterHeader.sourceTopic), "mesh.results")
        XCTAssertTrue(letter.headers.string(DeadLetterHeader.detail)?.contains("poison refused by site policy") == true,
                      "\(String(describing: letter.headers.string(DeadLetterHeader.detail)))")

        // Everything else is stored once, nothing about the poison is; the sink keeps going.
        let records = try reader.search(.all)
        XCTAssertEqual(Set(records.map(\.input.envelopeID)), Set(before + after))
        XCTAssertEqual(records.count, 20)
        XCTAssertTrue(sink.isRunning, "the sink is still running")
        // The sink also reads its own dead letter back (it consumes every mesh topic); the
        // database refuses that copy too, and it is left where it is, not published again.
        try await eventually("the sink met its own dead letter and left it in place", timeout: .seconds(30)) {
            sink.stderr.contains("it stays in the dead-letter topic")
        }
        let fetched = await get(port, "/metrics")
        let metrics = try XCTUnwrap(fetched)
        XCTAssertEqual(metric("agentmesh_audit_records_dead_lettered_total", in: metrics.body), 1, metrics.body)
        XCTAssertEqual(metric("agentmesh_audit_records_store_refused_total", in: metrics.body), 0, metrics.body)
        XCTAssertTrue(sink.stderr.contains("published it to the dead-letter topic"), sink.stderr)
        let again = try await readTopic("mesh.deadletter", home: mesh.home, count: 1, settle: .seconds(1))
        XCTAssertEqual(again.count, 1, "the dead letter is not published a second time")

        sink.signal(SIGTERM)
        _ = await sink.waitForExit(timeout: .seconds(10))
        XCTAssertEqual(sink.exitCode, 0, sink.stderr)
        let verify = try await mesh.meshctl(["audit", "verify", "--store", store])
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
    }

    func testWhileTheDatabaseIsUnavailableTheSinkRetriesAndIsNotReady() async throws {
        let path = mesh.workspace.url.appendingPathComponent("audit.sqlite").path
        let store = "sqlite:" + path
        let reader = try mesh.openStore(store)
        let sink = try mesh.startSink(store: store, extra: ["--health-port", "0"])
        let port = try await healthPort(sink)
        _ = try await mesh.publishFillers(count: 5, correlationPrefix: "first")
        try await eventually("the first records are stored", timeout: .seconds(45)) { ((try? reader.count) ?? 0) >= 5 }
        try await eventually("the sink is ready") { await self.get(port, "/readyz")?.status == 200 }

        // Another process holds the write lock for 25 s: the sink's appends fail (busy) after
        // its 10 s busy timeout, and are retried.
        let locker = try ChildProcess(
            URL(fileURLWithPath: "/usr/bin/sqlite3"), [path, "BEGIN EXCLUSIVE;", ".shell sleep 25", "COMMIT;"],
            name: "locker", workingDirectory: mesh.workspace.url)
        try await Task.sleep(for: .milliseconds(500))
        _ = try await mesh.publishFillers(count: 5, correlationPrefix: "second")
        try await eventually("the sink reports not ready while the store fails", timeout: .seconds(24)) {
            await self.get(port, "/readyz")?.status == 503
        }
        let fetchedWhileFailing = await get(port, "/metrics")
        let failing = try XCTUnwrap(fetchedWhileFailing)
        XCTAssertGreaterThanOrEqual(metric("agentmesh_audit_store_errors_total", in: failing.body) ?? 0, 1, failing.body)
        XCTAssertEqual(metric("agentmesh_audit_records_store_refused_total", in: failing.body), 0, "busy is not a refusal")
        XCTAssertEqual(try reader.count, 5, "nothing stored while locked")
        XCTAssertTrue(sink.stderr.contains("audit store append failed"), sink.stderr)

        _ = await locker.waitForExit(timeout: .seconds(30))
        try await eventually("the sink stores the rest once the lock is gone", timeout: .seconds(30)) { ((try? reader.count) ?? 0) >= 10 }
        try await eventually("the sink is ready again", timeout: .seconds(10)) { await self.get(port, "/readyz")?.status == 200 }
        XCTAssertTrue(sink.isRunning, "the sink kept running")
        sink.signal(SIGTERM)
        _ = await sink.waitForExit(timeout: .seconds(10))
        XCTAssertEqual(sink.exitCode, 0, sink.stderr)
        XCTAssertEqual(try reader.count, 10)
        let verify = try await mesh.meshctl(["audit", "verify", "--store", store])
        XCTAssertEqual(verify.status, 0, verify.stdout + verify.stderr)
    }
}
