import Foundation
import MeshTestSupport
import MeshWire
import XCTest

/// `--exactly-once`: a reviewer process judging a backlog is SIGKILLed mid-stream and
/// restarted with the same instance id (same transactional id).
///
/// On a real Kafka a read_committed reader then sees every verdict exactly once: the killed
/// instance's open transaction is aborted and its inputs are read again from the offsets
/// committed with the last transaction (TransactionTests in MeshKafkaTests show those broker
/// guarantees against a real Kafka). The embedded broker the harness runs keeps no
/// transaction state: it shows the killed transaction's records (no abort markers) and
/// needs the consumer to commit the offsets as well. What holds on it, and is asserted here:
/// nothing is lost, and the restart resumes after the last committed transaction instead of
/// starting over, so the only duplicates are the killed transaction's own records.
///
/// With `AGENTMESH_TEST_KAFKA_BOOTSTRAP=host:port` (`make kafka-test` starts a private Kafka)
/// the same run on that real Kafka asserts the strong property: no duplicate at all.
final class ExactlyOnceTests: XCTestCase {
    static let backlog = 1500

    func testKilledAndRestartedExactlyOnceReviewerLosesNothingAndResumesAfterItsLastTransaction() async throws {
        let mesh = try await MeshHarness()
        defer { mesh.shutdown() }
        let resultIDs = try await mesh.publishResultBacklog(Self.backlog, correlationPrefix: "eos")
        try mesh.start("reviewer-1", "mesh-reviewer", ["--exactly-once"])
        try await eventually("the reviewer commits its first transactions", timeout: .seconds(60)) {
            await mesh.observed.values.filter { $0.verdict != nil }.count >= 200
        }
        mesh.kill("reviewer-1")
        let beforeKill = await mesh.observed.values.filter { $0.verdict != nil }.count
        XCTAssertLessThan(beforeKill, Self.backlog, "killed mid-stream, not after the backlog: \(mesh.logs)")

        try mesh.start("reviewer-1", "mesh-reviewer", ["--exactly-once"])  // same transactional.id
        try await eventually("the restarted reviewer finishes the backlog", timeout: .seconds(120)) {
            Set(await mesh.observed.values.compactMap(\.verdict).map(\.resultEnvelopeID)) == resultIDs
        }
        try await Task.sleep(for: .seconds(2))  // a late duplicate would arrive now
        let verdicts = await mesh.observed.values.filter { $0.verdict != nil }
        let duplicates = verdicts.count - Set(verdicts.map(\.id)).count
        print("exactly-once reviewer SIGKILLed after \(beforeKill) of \(Self.backlog) verdicts: \(duplicates) duplicate records "
              + "on the embedded broker (records of the killed open transaction, which a real Kafka hides once it is aborted)")
        XCTAssertEqual(Set(verdicts.compactMap(\.verdict).map(\.resultEnvelopeID)), resultIDs, "every result judged, none lost")
        XCTAssertLessThan(duplicates, beforeKill, "the restart resumed after the last committed transaction, not from the start")
        let log = mesh.roles["reviewer-1"]?.stderr ?? ""
        XCTAssertTrue(log.contains("exactly-once mode"), "the restarted reviewer ran in exactly-once mode:\n\(log.suffix(2000))")
    }

    /// A SIGTERMed exactly-once role drains and exits while the broker is away: its open
    /// transaction can neither commit nor abort, and is left to the broker (its inputs'
    /// offsets were not committed, so they are read again) instead of retrying for minutes.
    func testAnExactlyOnceRoleStopsOnSIGTERMWhileTheBrokerIsAway() async throws {
        let mesh = try await MeshHarness()
        defer { mesh.shutdown() }
        _ = try await mesh.publishResultBacklog(100, correlationPrefix: "eos-away")
        try mesh.start("reviewer-1", "mesh-reviewer", ["--exactly-once"])
        try await eventually("the reviewer commits its first transactions", timeout: .seconds(60)) {
            await mesh.observed.values.contains { $0.verdict != nil }
        }
        let broker = try XCTUnwrap(mesh.broker)
        broker.signal(SIGKILL)
        let brokerGone = await broker.waitForExit(timeout: .seconds(10))
        XCTAssertTrue(brokerGone)
        let reviewer = try XCTUnwrap(mesh.roles["reviewer-1"])
        // SIGTERM while a commit or abort is being retried, holding the lanes at the gate: the
        // drain must end that retry loop, not wait it out.
        try await eventually("a transaction call is retried", timeout: .seconds(120)) {
            reviewer.stderr.contains("transaction call failed, retrying")
        }
        reviewer.signal(SIGTERM)
        // Each transaction call waits up to 30 s for the broker: the one in flight, an abort,
        // then the producer's flush. Retried, they took over five minutes.
        let exited = await reviewer.waitForExit(timeout: .seconds(150))
        let log = reviewer.stderr
        XCTAssertTrue(exited, "the reviewer is still draining 150 s after SIGTERM:\n\(log.suffix(3000))")
        XCTAssertTrue(log.contains("shutdown requested (SIGTERM, SIGINT or the parent gone): draining"), String(log.suffix(3000)))
        XCTAssertTrue(log.contains("msg=stopped"), "drained to the end:\n\(log.suffix(3000))")
    }

    func testOnRealKafkaAKilledAndRestartedExactlyOnceReviewerYieldsEveryVerdictExactlyOnce() async throws {
        let bootstrap = ProcessInfo.processInfo.environment["AGENTMESH_TEST_KAFKA_BOOTSTRAP"]
        try XCTSkipUnless(bootstrap != nil, "needs a real Kafka: set AGENTMESH_TEST_KAFKA_BOOTSTRAP=host:port (make kafka-test)")
        let mesh = try await MeshHarness(kafka: bootstrap)
        defer { mesh.shutdown() }
        // Earlier runs' records stay on a reused cluster: count only the verdicts on this run's results.
        let resultIDs = try await mesh.publishResultBacklog(Self.backlog, correlationPrefix: "eos-\(UUID().uuidString.prefix(8))")
        let ours: () async -> [Envelope] = { await mesh.observed.values.filter { $0.verdict.map { resultIDs.contains($0.resultEnvelopeID) } ?? false } }
        try mesh.start("reviewer-1", "mesh-reviewer", ["--exactly-once"])
        try await eventually("the reviewer commits its first transactions", timeout: .seconds(90)) {
            await ours().count >= 200
        }
        mesh.kill("reviewer-1")
        let beforeKill = await ours().count
        XCTAssertLessThan(beforeKill, Self.backlog, "killed mid-stream, not after the backlog: \(mesh.logs)")

        try mesh.start("reviewer-1", "mesh-reviewer", ["--exactly-once"])  // same transactional.id: fences and aborts
        try await eventually("the restarted reviewer finishes the backlog\n\(mesh.logs)", timeout: .seconds(180)) {
            Set(await ours().compactMap(\.verdict).map(\.resultEnvelopeID)) == resultIDs
        }
        try await Task.sleep(for: .seconds(5))  // a late duplicate would arrive now
        let verdicts = await ours()
        let judgedTwice = verdicts.count - Set(verdicts.compactMap(\.verdict).map(\.resultEnvelopeID)).count
        let repeatedRecords = verdicts.count - Set(verdicts.map(\.id)).count
        print("exactly-once reviewer SIGKILLed after \(beforeKill) of \(Self.backlog) verdicts on Kafka at \(bootstrap!): "
              + "\(verdicts.count) verdicts read_committed, \(judgedTwice) results judged twice, \(repeatedRecords) repeated records")
        XCTAssertEqual(Set(verdicts.compactMap(\.verdict).map(\.resultEnvelopeID)), resultIDs, "every result judged, none lost")
        XCTAssertEqual(verdicts.count, Self.backlog, "exactly one verdict per result: the killed transaction was aborted")
        XCTAssertEqual(judgedTwice, 0)
        XCTAssertEqual(repeatedRecords, 0)
        let log = mesh.roles["reviewer-1"]?.stderr ?? ""
        XCTAssertTrue(log.contains("exactly-once mode"), "the restarted reviewer ran in exactly-once mode:\n\(log.suffix(2000))")
    }
}
