import Foundation
import MeshKafka
import MeshTestSupport
import MeshWire
import XCTest

/// 1,000 objectives through the real role processes while the broker fails, leaders move,
/// every role is SIGKILLed once, the reviewer group rebalances and bad messages are injected;
/// then every objective, verdict, dead letter and audit record is accounted for.
/// Run with `make fault-test` (not part of `make test`).
final class FaultInjectionTests: XCTestCase {
    static let objectives = 1_000
    /// Submissions per second: the run lasts about objectives / rate seconds plus the drain.
    static let rate = 8.0

    func testAtLeastOnce() async throws {
        try await run(.atLeastOnce)
    }

    func testExactlyOnce() async throws {
        let scratch = try TemporaryDirectory("agentmesh-fault-help")
        defer { scratch.remove() }
        let help = try await runToCompletion(try Executables.url("mesh-reviewer"), ["--help"], workingDirectory: scratch.url)
        try XCTSkipUnless(help.stdout.contains("--exactly-once"),
                          "the roles have no --exactly-once flag yet (branch eos): the exactly-once run is skipped")
        try await run(.exactlyOnce)
    }

    private func run(_ mode: DeliveryMode) async throws {
        let started = ContinuousClock.now
        let mesh = try await FaultMesh(mode: mode)
        defer { mesh.shutdown() }
        try mesh.startMesh()
        try await mesh.waitUntilAssigned(mesh.runningRoles)

        let codingSigner = try mesh.signer("coding")
        let reviewerSigner = try mesh.signer("reviewer")
        let injected = Gathered<BadMessage>()
        func inject(at: Int64, _ make: @escaping () throws -> BadMessage) -> FaultStep {
            let label = (try? make().description) ?? "a bad message"
            return FaultStep(at: at, "inject \(label)") {
                let bad = try make()
                await injected.append(bad)
                try await mesh.publishRaw(bad.bytes, to: bad.topic, key: bad.key)
            }
        }
        let cluster = mesh.cluster
        // Kafka error codes: 6 NOT_LEADER_OR_FOLLOWER, 19 NOT_ENOUGH_REPLICAS (both retriable).
        let schedule: [FaultStep] = [
            FaultStep(at: 5, "broker 2 down") { try cluster.setBrokerDown(2) },
            FaultStep(at: 9, "broker 2 up") { try cluster.setBrokerUp(2) },
            FaultStep(at: 13, "12 produce requests fail (NOT_ENOUGH_REPLICAS, NOT_LEADER_OR_FOLLOWER)") {
                cluster.pushRequestErrors(apiKey: 0, errorCodes: Array(repeating: [19, 6], count: 6).flatMap { $0 })
            },
            FaultStep(at: 17, "12 fetch requests fail (NOT_LEADER_OR_FOLLOWER)") {
                cluster.pushRequestErrors(apiKey: 1, errorCodes: Array(repeating: 6, count: 12))
            },
            FaultStep(at: 21, "leaders of mesh.objectives, mesh.results, mesh.verdicts move") {
                for topic in ["mesh.objectives", "mesh.results", "mesh.verdicts"] {
                    for partition in Int32(0)..<12 { try cluster.setPartitionLeader(topic: topic, partition: partition, broker: partition % 3 + 1) }
                }
            },
            FaultStep(at: 25, "SIGKILL orchestrator-1, restart") { try mesh.killAndRestart("orchestrator-1") },
            inject(at: 31) { .malformed(topic: "mesh.objectives") },
            FaultStep(at: 35, "SIGKILL coding-1, restart") { try mesh.killAndRestart("coding-1") },
            FaultStep(at: 45, "SIGKILL reviewer-1, restart") { try mesh.killAndRestart("reviewer-1") },
            inject(at: 51) { try .forgedSignature(signer: reviewerSigner) },
            FaultStep(at: 55, "SIGKILL compliance-1, restart") { try mesh.killAndRestart("compliance-1") },
            FaultStep(at: 65, "SIGKILL audit-sink-1, restart") { try mesh.killAndRestart("audit-sink-1") },
            inject(at: 71) { try .wrongRole(agentSigner: codingSigner) },
            FaultStep(at: 77, "reviewer-2 joins the reviewer group") { try mesh.start("reviewer-2", "mesh-reviewer") },
            FaultStep(at: 91, "reviewer-1 leaves (SIGTERM)") {
                let code = await mesh.terminate("reviewer-1")
                XCTAssertEqual(code, 0, "reviewer-1 stops cleanly on SIGTERM")
            },
            inject(at: 95) { .oversize(topic: "mesh.objectives") },
        ]

        // Submissions at a steady pace; the faults on their schedule meanwhile.
        let submitted = (0..<Self.objectives).map { String(format: "fault-%@-%04d", mode.rawValue, $0) }
        let flowStart = ContinuousClock.now
        let submitting = Task {
            for (index, id) in submitted.enumerated() {
                try await Task.sleep(until: flowStart + .milliseconds(Int64(Double(index) * 1000 / Self.rate)), clock: .continuous)
                try mesh.submit(id)
            }
            try mesh.flush()
        }
        var applied: [String] = []
        for step in schedule {
            try await Task.sleep(until: flowStart + .seconds(step.at), clock: .continuous)
            try await step.action()
            let at = (ContinuousClock.now - flowStart).formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1)))
            applied.append("  \(at): \(step.label)")
        }
        try await submitting.value
        print("[\(mode.rawValue)] faults applied while \(submitted.count) objectives were submitted:\n" + applied.joined(separator: "\n"))

        // Quiescence: every objective final (bounded), and every dead letter written.
        let deadline = ContinuousClock.now + .seconds(240)
        while ContinuousClock.now < deadline, mesh.finals.snapshot.count < submitted.count {
            try await Task.sleep(for: .seconds(1))
        }
        let finals = mesh.finals.snapshot
        let unfinished = submitted.filter { finals[$0] == nil }
        XCTAssertTrue(unfinished.isEmpty, "\(unfinished.count) objective(s) did not finish within 240 s of the last submission: "
                      + unfinished.prefix(50).joined(separator: ", ") + "\n\(mesh.logs)")
        let drained = ContinuousClock.now

        // Stop every producing role, so the topics stop growing; the sink then catches up.
        let producers = mesh.runningRoles.filter { $0 != "audit-sink-1" }
        for name in producers {
            let code = await mesh.terminate(name)
            XCTAssertEqual(code, 0, "\(name) stops cleanly on SIGTERM\n\(mesh.process(name)?.stderr.suffix(3000) ?? "")")
        }
        // The restarted processes and the joining reviewer took over work.
        let processed = mesh.processedCounts()
        print("[\(mode.rawValue)] messages processed by the last run of each role: "
              + processed.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        for name in ["orchestrator-1", "coding-1", "reviewer-1", "reviewer-2", "compliance-1"] {
            XCTAssertGreaterThan(processed[name] ?? 0, 0, "\(name) processed messages after its (re)start")
        }
        let accounting = MeshAccounting(records: try await mesh.readAllTopics(), opener: try mesh.opener())
        let store = try mesh.openAuditStore()
        let expected = accounting.expectedAuditRecords
        try await eventually("the audit sink stored \(expected) records\n\(mesh.logs)", timeout: .seconds(90)) {
            ((try? store.count) ?? 0) >= expected
        }
        let sinkCode = await mesh.terminate("audit-sink-1")
        XCTAssertEqual(sinkCode, 0, "the audit sink stops cleanly on SIGTERM")
        var checks = [
            accounting.objectives(submitted: submitted),
            accounting.verdicts(),
            accounting.deadLetters(injected: await injected.values, catalog: mesh.catalog,
                                   processingRoles: ["orchestrator", "coding", "reviewer", "compliance"]),
            accounting.audit(try store.search(.all)),
        ]
        let outputTopics = mesh.catalog.topics.map(\.name).filter { $0 != "mesh.objectives" && $0 != "mesh.heartbeats" }
        let duplicates = accounting.duplicates(topics: outputTopics)
        // Exactly-once needs the group's offsets to commit with the outputs; where the broker
        // drops them (the runtime then also commits them from the consumer, after the
        // transaction), a crash between the two repeats outputs.
        let brokerKeepsTransactions = mode == .exactlyOnce ? try await mesh.cluster.storesTransactionalOffsets(logger: mesh.logger) : false
        if brokerKeepsTransactions { checks.append(duplicates) }
        let total = ContinuousClock.now - started
        print("""
            [\(mode.rawValue)] fault run: \(submitted.count) objectives at \(Int(Self.rate))/s, \
            drained \(format(drained - flowStart)) after the first submission, whole run \(format(total))
            \(checks.map(\.summary).joined(separator: "\n"))
            \(brokerKeepsTransactions ? "" : "not asserted: \(duplicates.name): \(duplicates.counts.joined(separator: ", ")) \(duplicates.problems)")
            """)
        for check in checks {
            XCTAssertTrue(check.problems.isEmpty, "[\(mode.rawValue)] \(check.summary)")
        }
        if mode == .exactlyOnce && !brokerKeepsTransactions {
            throw XCTSkip("""
                exactly-once: the checks above ran; "no duplicate records" is not asserted because the embedded broker \
                (librdkafka's mock cluster) stores no offsets sent to a transaction and writes no abort markers, so \
                exactly-once cannot hold on it (\(duplicates.counts.joined(separator: ", ")))
                """)
        }
    }

    private func format(_ duration: Duration) -> String {
        duration.formatted(.units(allowed: [.minutes, .seconds], width: .narrow))
    }
}

/// One fault, `at` seconds after the first submission.
struct FaultStep {
    var at: Int64
    var label: String
    var action: () async throws -> Void

    init(at: Int64, _ label: String, _ action: @escaping () async throws -> Void) {
        self.at = at
        self.label = label
        self.action = action
    }
}
