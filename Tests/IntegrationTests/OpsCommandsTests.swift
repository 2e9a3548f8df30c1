import Foundation
import Logging
import MeshAudit
import MeshKafka
import MeshSigning
import MeshTestSupport
import MeshTransport
import MeshWire
import XCTest

/// The operator commands (`submit`, `status`, `approvals`, `approve`, `reject`, `up`, `demo`)
/// run as real `meshctl` processes against a `meshctl broker` process.
final class OpsCommandsTests: XCTestCase {
    var workspace: TemporaryDirectory!
    var broker: ChildProcess?

    override func setUp() async throws {
        workspace = try TemporaryDirectory("agentmesh-ops")
    }

    override func tearDown() async throws {
        broker?.stop()
        workspace?.remove()
    }

    var home: String { workspace.url.appendingPathComponent(".agentmesh").path }
    var catalogPath: String { repositoryRoot().appendingPathComponent("Topics").path }
    /// The repository's playbooks, rules and policies, so commands can run from the workspace.
    var repositoryFolders: [String] {
        ["--playbooks", "Playbooks", "--rules", "Rules", "--policies", "Policies"].enumerated().map { index, value in
            index % 2 == 0 ? value : repositoryRoot().appendingPathComponent(value).path
        }
    }

    func meshctl(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await runToCompletion(try Executables.url("meshctl"), arguments + ["--home", home],
                                  workingDirectory: workspace.url, timeout: timeout)
    }

    /// A broker process and a key ring with people alice and bob.
    func startMesh() async throws {
        broker = try ChildProcess(try Executables.url("meshctl"), ["broker", "--catalog", catalogPath, "--home", home],
                                  name: "broker", workingDirectory: workspace.url)
        try await eventually("the broker wrote its bootstrap file") {
            FileManager.default.fileExists(atPath: self.home + "/broker.properties")
        }
        let keys = try await meshctl(["keys", "init", "--catalog", catalogPath, "--people", "alice", "bob"])
        XCTAssertEqual(keys.status, 0, keys.stderr)
    }

    func publisher(as principal: String) throws -> MeshPublisher {
        let producer = try KafkaProducer(configuration: try MeshEnvironment(home: home).kafkaConfiguration(), logger: Logger(label: "test"))
        return MeshPublisher(producer: producer, sealer: EnvelopeSealer(signer: try KeyRingStore.loadSigner(principal: principal, from: home + "/keys")))
    }

    /// Every verified envelope on `topic` (reads for `seconds`).
    func readBack(_ topic: String, seconds: Double = 4) async throws -> [OpenedEnvelope] {
        let configuration = try MeshEnvironment(home: home).kafkaConfiguration()
        let logger = Logger(label: "test")
        let partitions = try XCTUnwrap(try KafkaAdmin(configuration: configuration, logger: logger).describeTopics()
            .first { $0.name == topic }).partitions
        let consumer = try KafkaConsumer(configuration: configuration, subscription: .partitions(
            (0..<partitions).map { TopicPartition(topic: topic, partition: Int32($0)) }), logger: logger)
        let opener = EnvelopeOpener(trust: try KeyRingStore.loadTrustStore(from: home + "/keys"))
        let stopper = Task { try await Task.sleep(for: .seconds(seconds)); consumer.close() }
        defer { stopper.cancel() }
        var opened: [OpenedEnvelope] = []
        for await message in consumer.messages {
            if case .success(let envelope) = opener.open(message.value) { opened.append(envelope) }
        }
        return opened
    }

    // MARK: - Objective files

    func testObjectiveFileErrorsNameFileLineAndField() async throws {
        let bad = workspace.url.appendingPathComponent("bad.yaml")
        try """
            titel: Add a banner
            playbook: feature
            parameters:
              component: [portal]
            inputs:
              - name: notes.md
                content: hello
                file: notes.md
              - media_type: text/plain
            """.write(to: bad, atomically: true, encoding: .utf8)
        let result = try await meshctl(["submit", "--dry-run", bad.path])
        XCTAssertEqual(result.status, 65, result.stdout + result.stderr)
        for expected in [
            "\(bad.path):1:1: field \"titel\": unknown field; did you mean \"title\"?",
            "\(bad.path):1:1: field \"title\": missing; it is required",
            "\(bad.path):4:14: field \"parameters.component\": expected a plain value",
            "\(bad.path):7:5: field \"inputs[0].content\": give either content or file, not both",
            "\(bad.path):9:5: field \"inputs[1].name\": missing; it is required",
            "\(bad.path):9:5: field \"inputs[1].content\": missing",
        ] {
            XCTAssertTrue(result.stderr.contains(expected), "missing «\(expected)» in:\n\(result.stderr)")
        }
        XCTAssertTrue(result.stderr.contains("objective file has 6 problems"), result.stderr)

        let broken = workspace.url.appendingPathComponent("broken.yaml")
        try "title: [unclosed\nplaybook: feature\n".write(to: broken, atomically: true, encoding: .utf8)
        let yaml = try await meshctl(["submit", broken.path])
        XCTAssertEqual(yaml.status, 65)
        XCTAssertTrue(yaml.stderr.contains("\(broken.path):2:"), yaml.stderr)
        XCTAssertTrue(yaml.stderr.contains("not valid YAML"), yaml.stderr)

        let wrongID = workspace.url.appendingPathComponent("id.yaml")
        try "id: has spaces in it\ntitle: x\nplaybook: feature\n".write(to: wrongID, atomically: true, encoding: .utf8)
        let id = try await meshctl(["submit", "--dry-run", wrongID.path])
        XCTAssertEqual(id.status, 65)
        XCTAssertTrue(id.stderr.contains("\(wrongID.path):1:5: field \"id\": \"has spaces in it\" is not a usable id"), id.stderr)

        let missing = try await meshctl(["submit", "--dry-run", workspace.url.appendingPathComponent("nope.yaml").path])
        XCTAssertEqual(missing.status, 65)
        XCTAssertTrue(missing.stderr.contains("nope.yaml: cannot read the file"), missing.stderr)

        for shipped in ["demo.yaml", "device-change.yaml", "feature.yaml"] {
            let path = repositoryRoot().appendingPathComponent("Objectives").appendingPathComponent(shipped).path
            let ok = try await meshctl(["submit", "--dry-run", path])
            XCTAssertEqual(ok.status, 0, "\(shipped): \(ok.stderr)")
        }
    }

    // MARK: - submit / cancel / status

    func testSubmitPublishesAVerifiableObjective() async throws {
        try await startMesh()
        let file = repositoryRoot().appendingPathComponent("Objectives/feature.yaml").path
        let submitted = try await meshctl(["submit", file, "--submitted-by", "alice"])
        XCTAssertEqual(submitted.status, 0, submitted.stderr)
        let correlationID = submitted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertEqual(correlationID.count, 36, "prints the fresh correlation id: \(submitted.stdout)")

        let fixed = workspace.url.appendingPathComponent("fixed.yaml")
        try "id: obj-fixed-1\ntitle: Fixed id\nplaybook: single-task\n".write(to: fixed, atomically: true, encoding: .utf8)
        let second = try await meshctl(["submit", fixed.path])
        XCTAssertEqual(second.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "obj-fixed-1", second.stderr)
        let cancel = try await meshctl(["cancel", "obj-fixed-1", "--reason", "changed my mind"])
        XCTAssertEqual(cancel.status, 0, cancel.stderr)

        // meshctl tail verifies like a role would.
        let tail = try await meshctl(["tail", "mesh.objectives", "--json", "--count", "3", "--seconds", "20"])
        XCTAssertEqual(tail.status, 0, tail.stderr)
        let lines = try tail.stdout.split(separator: "\n").map {
            try XCTUnwrap(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String])
        }
        XCTAssertEqual(lines.count, 3, tail.stdout)
        let objective = try XCTUnwrap(lines.first { $0["correlation_id"] == correlationID }, tail.stdout)
        XCTAssertEqual(objective["type"], "agentmesh.objective.submitted.v1")
        XCTAssertEqual(objective["signer"], "meshctl")
        XCTAssertTrue(objective["source"]?.hasPrefix("/mesh/meshctl/") == true, "\(objective)")
        XCTAssertEqual(objective["topic"], "mesh.objectives")
        XCTAssertTrue(lines.contains { $0["correlation_id"] == "obj-fixed-1" && $0["type"] == "agentmesh.objective.cancel_requested.v1" })

        // The payload as the orchestrator will see it.
        let opened = try await readBack("mesh.objectives")
        let envelope = try XCTUnwrap(opened.first { $0.envelope.correlationID == correlationID }?.envelope)
        guard case .objectiveSubmitted(let payload) = envelope.payload else { return XCTFail("\(envelope.payload)") }
        XCTAssertEqual(payload.objectiveID, correlationID)
        XCTAssertEqual(payload.title, "Consent banner on the patient portal")
        XCTAssertEqual(payload.playbook, "feature")
        XCTAssertEqual(payload.submittedBy, "alice")
        XCTAssertEqual(payload.parameters[key: "component"], "portal")
        let input = try XCTUnwrap(payload.inputs.first)
        XCTAssertEqual(input.name, "acceptance.md")
        XCTAssertEqual(input.mediaType, "text/markdown")
        XCTAssertEqual(input.sha256, SHA256Digest.hash(input.content))

        // status before any plan: known, submitted.
        let status = try await meshctl(["status", correlationID])
        XCTAssertEqual(status.status, 0, status.stderr)
        XCTAssertTrue(status.stdout.contains("objective \(correlationID): submitted"), status.stdout)
        let unknown = try await meshctl(["status", "no-such-objective"])
        XCTAssertEqual(unknown.status, 4)
    }

    func testStatusShowsTheLatestPlanStatusAsATable() async throws {
        try await startMesh()
        let orchestrator = try publisher(as: "orchestrator")
        defer { orchestrator.producer.close() }
        let source = "/mesh/orchestrator/orchestrator-1"
        let id = "obj-status-1"
        try await orchestrator.publish(Envelope(source: source, correlationID: id, payload: .planCreated(PlanCreated(
            planID: "plan-1", objectiveID: id, playbook: "feature", playbookHash: String(repeating: "ab", count: 32),
            tasks: [PlannedTask(taskID: "discover", role: "discovery"), PlannedTask(taskID: "implement", role: "coding")]))),
            to: "mesh.plans")
        try await orchestrator.publish(Envelope(source: source, correlationID: id, payload: .planStatus(PlanStatus(
            planID: "plan-1", tasks: [TaskStatus(taskID: "discover", state: .working, attempt: 1, detail: "assigned")]))),
            to: "mesh.plans")
        try await orchestrator.publish(Envelope(source: source, correlationID: id, payload: .planStatus(PlanStatus(
            planID: "plan-1", tasks: [TaskStatus(taskID: "discover", state: .completed, attempt: 2, detail: "accepted"),
                                      TaskStatus(taskID: "implement", state: .inputRequired, attempt: 1, detail: "awaiting human approval")]))),
            to: "mesh.plans")

        let table = try await meshctl(["status", id])
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssertTrue(table.stdout.contains("objective \(id): working"), table.stdout)
        let rows = table.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        XCTAssertTrue(rows.contains { $0.starts(with: ["TASK", "ROLE", "STATE", "ATTEMPT", "DETAIL"]) }, table.stdout)
        XCTAssertTrue(rows.contains { $0.starts(with: ["discover", "discovery", "completed", "2", "accepted"]) }, table.stdout)
        XCTAssertTrue(rows.contains { $0.starts(with: ["implement", "coding", "input-required", "1", "awaiting"]) }, table.stdout)

        let json = try await meshctl(["status", id, "--json"])
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any], json.stdout)
        XCTAssertEqual(document["plan_id"] as? String, "plan-1")
        let tasks = try XCTUnwrap(document["tasks"] as? [[String: Any]])
        XCTAssertEqual(tasks.map { $0["state"] as? String }, ["completed", "input-required"])
    }

    // MARK: - approvals

    func testApproveRefusesTheAuthorUnknownIdsAndMissingKeysThenSignsAsThePerson() async throws {
        try await startMesh()
        let orchestrator = try publisher(as: "orchestrator")
        defer { orchestrator.producer.close() }
        let digest = SHA256Digest.hash(Array("the exact result".utf8))
        let request = Envelope(
            source: "/mesh/orchestrator/orchestrator-1", correlationID: "obj-approve-1", subject: "appr-1",
            payload: .approvalRequested(ApprovalRequested(
                approvalID: "appr-1", taskID: "change", planID: "plan-1", attempt: 2, resultEnvelopeID: "result-env-1",
                resultSHA256: digest, reason: "the playbook requires a human verdict on change",
                deadlineUnixMicros: WallClock.nowUnixMicros() + 3_600_000_000, authorID: "alice")))
        try await orchestrator.publish(request, to: "mesh.approvals")

        let listed = try await meshctl(["approvals", "list"])
        XCTAssertEqual(listed.status, 0, listed.stderr)
        XCTAssertTrue(listed.stdout.contains("appr-1"), listed.stdout)
        XCTAssertTrue(listed.stdout.contains("obj-approve-1"), listed.stdout)
        XCTAssertTrue(listed.stdout.contains("alice"), listed.stdout)

        let own = try await meshctl(["approve", "appr-1", "--as", "alice", "--name", "Alice Adams", "--reason", "looks fine"])
        XCTAssertEqual(own.status, 3, own.stdout + own.stderr)
        XCTAssertTrue(own.stderr.contains("alice authored the result of change attempt 2 and may not decide on it (separation of duties)"), own.stderr)

        let unknown = try await meshctl(["approve", "appr-404", "--as", "bob", "--name", "Bob Brown"])
        XCTAssertEqual(unknown.status, 3)
        XCTAssertTrue(unknown.stderr.contains("unknown approval id appr-404"), unknown.stderr)
        XCTAssertTrue(unknown.stderr.contains("pending: appr-1"), unknown.stderr)

        let keyless = try await meshctl(["approve", "appr-1", "--as", "carol", "--name", "Carol Clark"])
        XCTAssertEqual(keyless.status, 3)
        XCTAssertTrue(keyless.stderr.contains("carol has no signing key"), keyless.stderr)
        XCTAssertTrue(keyless.stderr.contains("meshctl keys init --people carol"), keyless.stderr)

        let role = try await meshctl(["approve", "appr-1", "--as", "reviewer", "--name", "Reviewer"])
        XCTAssertEqual(role.status, 3)
        XCTAssertTrue(role.stderr.contains("reviewer is a role, not a person"), role.stderr)

        let noName = try await meshctl(["approve", "appr-1", "--as", "bob"])
        XCTAssertNotEqual(noName.status, 0)
        XCTAssertTrue(noName.stderr.contains("--name"), noName.stderr)
        let noReason = try await meshctl(["reject", "appr-1", "--as", "bob"])
        XCTAssertNotEqual(noReason.status, 0)
        XCTAssertTrue(noReason.stderr.contains("--reason is required"), noReason.stderr)

        // Nothing was published by the refusals.
        let before = try await readBack("mesh.approvals", seconds: 3)
        XCTAssertEqual(before.count, 1, "only the request: \(before.map(\.envelope.type))")

        let approved = try await meshctl(["approve", "appr-1", "--as", "bob", "--name", "Bob Brown", "--reason", "verified the diff"])
        XCTAssertEqual(approved.status, 0, approved.stderr)
        XCTAssertTrue(approved.stdout.contains("approved appr-1"), approved.stdout)

        let after = try await readBack("mesh.approvals")
        let opened = try XCTUnwrap(after.first { $0.envelope.type == "agentmesh.approval.decision.v1" }, "\(after.map(\.envelope.type))")
        XCTAssertEqual(opened.signer.principal, "bob", "sealed with the person's key")
        XCTAssertEqual(opened.signer.principalKind, .person)
        XCTAssertEqual(opened.envelope.source, "/mesh/approver/bob")
        XCTAssertEqual(opened.envelope.causationID, request.id)
        XCTAssertEqual(opened.envelope.correlationID, "obj-approve-1")
        guard case .approvalDecision(let decision) = opened.envelope.payload else { return XCTFail() }
        XCTAssertEqual(decision.approvalID, "appr-1")
        XCTAssertEqual(decision.decision, .approve)
        XCTAssertEqual(decision.signerID, "bob")
        XCTAssertEqual(decision.printedName, "Bob Brown")
        XCTAssertEqual(decision.meaning, "approved")
        XCTAssertEqual(decision.reason, "verified the diff")
        XCTAssertEqual(decision.resultSHA256, digest, "bound to the request's result hash")
        let signature = try XCTUnwrap(decision.signature)
        XCTAssertEqual(signature.algorithm, .ed25519)
        XCTAssertTrue(signature.keyID.hasPrefix("bob-"), signature.keyID)

        let again = try await meshctl(["reject", "appr-1", "--as", "bob", "--reason", "second thoughts"])
        XCTAssertEqual(again.status, 3)
        XCTAssertTrue(again.stderr.contains("already decided: approved by bob"), again.stderr)
        let pending = try await meshctl(["approvals", "list"])
        XCTAssertTrue(pending.stdout.contains("no pending approval requests"), pending.stdout)
        let all = try await meshctl(["approvals", "list", "--all", "--json"])
        XCTAssertTrue(all.stdout.contains("\"signer\":\"bob\""), all.stdout)
    }

    // MARK: - up

    /// `up` with stand-in role executables (shell scripts) next to a hard link of meshctl:
    /// the real start-up, prefixing, scaling and SIGTERM shutdown, without the roles.
    func testUpStartsEveryRoleWithUniqueInstancesAndStopsThemOnSIGTERM() async throws {
        let bin = Executables.directory.appendingPathComponent("ops-up-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: bin) }
        try FileManager.default.linkItem(at: try Executables.url("meshctl"), to: bin.appendingPathComponent("meshctl"))
        let stub = """
            #!/bin/sh
            name=$(basename "$0")
            [ "$1" = users ] && exit 0   # mesh-console users add: nothing to make in a stub
            echo "stub $name $*"
            trap 'echo "$name got TERM"; exit 0' TERM
            while true; do sleep 0.2; done
            """
        for executable in ["mesh-orchestrator", "mesh-agent", "mesh-reviewer", "mesh-compliance", "mesh-audit-sink", "mesh-console"] {
            let url = bin.appendingPathComponent(executable)
            try stub.write(to: url, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        }
        let up = try ChildProcess(
            bin.appendingPathComponent("meshctl"),
            ["up", "--replicas", "reviewer=3,coding=2", "--catalog", catalogPath, "--home", home, "--drain-seconds", "2"]
                + repositoryFolders,
            name: "up", workingDirectory: workspace.url)
        defer { up.stop() }
        try await eventually("up prints its ready line", timeout: .seconds(60)) { up.stdout.contains("[up] ready: 14 processes") }
        XCTAssertTrue(FileManager.default.fileExists(atPath: home + "/broker.properties"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: home + "/keys/trust.json"), "key ring created")
        let keys = try await meshctl(["keys", "list"])
        XCTAssertTrue(keys.stdout.contains("person demo-approver"), keys.stdout)
        try await eventually("every child printed its command line") {
            ["orchestrator-1", "coding-1", "coding-2", "testing-1", "security-1", "documentation-1", "ux-1", "discovery-1",
             "reviewer-1", "reviewer-2", "reviewer-3", "compliance-1", "audit-sink-1", "console-1"].allSatisfy { up.stdout.contains("[\($0)] stub ") }
        }
        let out = up.stdout
        XCTAssertTrue(out.contains("[reviewer-2] stub mesh-reviewer --rules "), out)
        XCTAssertTrue(out.contains("--instance reviewer-2"), out)
        XCTAssertTrue(out.contains("[coding-2] stub mesh-agent --role coding --handler example"), out)
        XCTAssertTrue(out.contains("[audit-sink-1] stub mesh-audit-sink --store sqlite:"), out)
        XCTAssertTrue(out.contains("[orchestrator-1] stub mesh-orchestrator --playbooks "), out)
        XCTAssertTrue(out.contains("[console-1] stub mesh-console serve --host 127.0.0.1 --port "), out)
        XCTAssertTrue(out.contains("[up] console: http://127.0.0.1:"), out)
        XCTAssertTrue(out.contains("--home \(URL(fileURLWithPath: home).standardizedFileURL.path)"), out)

        up.signal(SIGTERM)
        let exited = await up.waitForExit(timeout: .seconds(30))
        XCTAssertTrue(exited, "up stops after SIGTERM: \(up.stdout)")
        XCTAssertEqual(up.exitCode, 0, up.stderr)
        XCTAssertTrue(up.stdout.contains("[reviewer-3] mesh-reviewer got TERM"), up.stdout)
        XCTAssertTrue(up.stdout.contains("[up] coding-2 stopped"), up.stdout)
        XCTAssertFalse(up.stdout.contains("unexpectedly"), up.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: home + "/broker.properties"), "broker file removed")
    }

    // MARK: - demo (needs the real role executables)

    func testDemoRunsEndToEnd() async throws {
        let home = workspace.url.appendingPathComponent("demo-home")
        let demo = try await runToCompletion(
            try Executables.url("meshctl"),
            ["demo", "--timeout", "120", "--objective", repositoryRoot().appendingPathComponent("Objectives/demo.yaml").path,
             "--home", home.path, "--catalog", catalogPath] + repositoryFolders,
            workingDirectory: workspace.url, timeout: .seconds(200))
        XCTAssertEqual(demo.status, 0, "demo failed:\n\(demo.stdout)\n\(demo.stderr)")
        let lines = demo.stdout.split(separator: "\n").map(String.init)
        func index(_ what: String, after earlier: Int = -1, _ match: (String) -> Bool) -> Int {
            guard let found = lines.indices.first(where: { $0 > earlier && match(lines[$0]) }) else {
                XCTFail("timeline lacks \(what)" + (earlier < lines.count ? " after line \(earlier + 1)" : "") + ":\n\(demo.stdout)")
                return Int.max - 1
            }
            return found
        }
        let submitted = index("submitted") { $0.contains(" submitted ") && $0.contains("playbook approval") }
        let planned = index("planned", after: submitted) { $0.contains(" planned ") }
        let first = index("first assignment", after: planned) { $0.contains(" assigned ") && $0.contains("change -> coding attempt 1") }
        let result = index("first result", after: first) { $0.contains(" result ") && $0.contains("attempt 1") }
        let changes = index("compliance request_changes", after: result) {
            $0.contains(" verdict ") && $0.contains("attempt 1: compliance request_changes")
        }
        XCTAssertTrue(lines.indices.contains(changes + 1) && lines[changes + 1].contains("finding"),
                      "the compliance finding is printed under its verdict:\n\(demo.stdout)")
        let rework = index("rework", after: changes) { $0.contains(" assigned ") && $0.contains("change -> coding attempt 2") }
        _ = index("passing compliance verdict", after: rework) { $0.contains("attempt 2: compliance approve") }
        let requested = index("approval requested", after: rework) { $0.contains(" approval ") && $0.contains("requested ") }
        let auto = index("the automatic approval notice", after: requested) {
            $0.contains("approving") && $0.contains("automatically AS THE DEMO PERSON demo-approver")
        }
        let decided = index("approval decision", after: auto) {
            $0.contains(" decision ") && $0.contains("approved by demo-approver") && $0.contains("meaning approved")
                && $0.contains("signature verified")
        }
        let completed = index("completed", after: decided) { $0.contains(" completed ") && $0.contains("plan ") }
        _ = index("a compiled artifact", after: completed) { $0.contains("artifact ") && $0.contains("bytes") }
        XCTAssertTrue(demo.stdout.contains("demo: stopping the mesh"), demo.stdout)
        XCTAssertTrue(demo.stdout.contains("demo: completed"), demo.stdout)
        try assertOneTracePerObjective(store: "sqlite:" + home.appendingPathComponent("audit.sqlite").path)
    }

    /// Every envelope of the demo's objective, as the audit sink stored it, carries a W3C
    /// trace context: one trace id for the whole objective, and a span id derived from the
    /// envelope's own id (`TraceContext`), so each hop names its parent hop's span.
    private func assertOneTracePerObjective(store: String) throws {
        let reader = try AuditStoreLocation(parsing: store).openForReading()
        let codec = EnvelopeCodec()
        let envelopes = try reader.search(.all).compactMap { record -> Envelope? in
            guard record.input.verification.isVerified, let sealed = try? codec.decodeSealed(record.input.raw) else { return nil }
            return try? codec.decode(sealed.envelope)
        }
        let objectiveID = try XCTUnwrap(envelopes.first { $0.type == PayloadKind.objectiveSubmitted.rawValue }?.correlationID,
                                        "the store holds the submitted objective")
        let objective = envelopes.filter { $0.correlationID == objectiveID }
        XCTAssertGreaterThan(objective.count, 10, "the whole objective was stored")
        let byID = Dictionary(objective.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var traceIDs = Set<String>()
        for envelope in objective {
            let context = try XCTUnwrap(TraceContext(traceparent: envelope.traceparent), "\(envelope.type) \(envelope.id): \(envelope.traceparent)")
            XCTAssertEqual(context.spanID, TraceContext.spanID(of: envelope.id), "\(envelope.type) names its own span")
            if let cause = byID[envelope.causationID] {
                XCTAssertEqual(context.traceID, TraceContext(traceparent: cause.traceparent)?.traceID, "\(envelope.type) continues its cause's trace")
            }
            traceIDs.insert(context.traceID)
        }
        XCTAssertEqual(traceIDs.count, 1, "one trace for the objective: \(traceIDs)")
        XCTAssertEqual(Set(objective.map(\.source)).count > 4, true, "hops of several roles: \(Set(objective.map(\.source)))")
    }
}
