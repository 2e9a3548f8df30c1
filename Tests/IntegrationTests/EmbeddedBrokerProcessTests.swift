import Foundation
import Logging
import MeshKafka
import MeshSigning
import MeshTestSupport
import MeshTransport
import MeshWire
import XCTest

/// `meshctl broker` as a separate process, used by other processes over TCP: meshctl
/// commands, kcat, and this test as a producer.
final class EmbeddedBrokerProcessTests: XCTestCase {
    var workspace: TemporaryDirectory!
    var broker: ChildProcess!

    override func setUp() async throws {
        workspace = try TemporaryDirectory()
        broker = try startBroker()
        try await eventually("the broker wrote its bootstrap file") { self.brokerProperties != nil }
    }

    override func tearDown() async throws {
        broker?.stop()
        workspace?.remove()
    }

    var home: String { workspace.url.appendingPathComponent(".agentmesh").path }

    var brokerProperties: [String: String]? {
        try? KafkaConfiguration.loadProperties(file: home + "/broker.properties")
    }

    func startBroker() throws -> ChildProcess {
        try ChildProcess(
            try Executables.url("meshctl"),
            ["broker", "--catalog", repositoryRoot().appendingPathComponent("Topics").path, "--home", home],
            name: "broker", workingDirectory: workspace.url)
    }

    func meshctl(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await runToCompletion(
            try Executables.url("meshctl"), arguments + ["--home", home], workingDirectory: workspace.url)
    }

    func testTheBrokerServesCatalogTopicsAndStopsCleanlyOnSIGTERM() async throws {
        XCTAssertTrue(broker.stdout.contains("bootstrap.servers=127.0.0.1:"), broker.stdout)
        let apply = try await meshctl(["topics", "apply", "--catalog", repositoryRoot().appendingPathComponent("Topics").path])
        XCTAssertEqual(apply.status, 0, apply.stderr)
        XCTAssertEqual(apply.stdout.split(separator: "\n").filter { $0.hasPrefix("ok ") }.count, 16, apply.stdout)

        let second = try await runToCompletion(
            try Executables.url("meshctl"),
            ["broker", "--catalog", repositoryRoot().appendingPathComponent("Topics").path, "--home", home],
            workingDirectory: workspace.url)
        XCTAssertNotEqual(second.status, 0)
        XCTAssertTrue(second.stderr.contains("a broker is already running"), second.stderr)

        broker.signal(SIGTERM)
        let exited = await broker.waitForExit(timeout: .seconds(10))
        XCTAssertTrue(exited, "the broker stops within 10 s of SIGTERM")
        XCTAssertEqual(broker.exitCode, 0, broker.stderr)
        XCTAssertNil(brokerProperties, "the bootstrap file is removed on exit")
    }

    func testKcatSeesCloudEventsHeadersAndTailVerifiesAndResumesByGroup() async throws {
        let keys = try await meshctl(["keys", "init", "--catalog", repositoryRoot().appendingPathComponent("Topics").path])
        XCTAssertEqual(keys.status, 0, keys.stderr)
        let configuration = try MeshEnvironment(home: home).kafkaConfiguration()
        let logger = Logger(label: "test")
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        defer { producer.close() }
        let publisher = MeshPublisher(
            producer: producer, sealer: EnvelopeSealer(signer: try KeyRingStore.loadSigner(principal: "coding", from: home + "/keys")))
        let envelopes = (0..<8).map { index in
            Envelope(
                source: "/mesh/coding/agent-1", correlationID: "obj-\(index)", subject: "task-\(index)",
                traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                payload: .taskResult(TaskResult(taskID: "task-\(index)", planID: "plan-\(index)", state: .completed, agentID: "agent-1")))
        }
        for envelope in envelopes { try await publisher.publish(envelope, to: "mesh.results") }
        try await producer.send(OutgoingMessage(topic: "mesh.results", key: Array("obj-x".utf8), value: Array("garbage".utf8)))

        // kcat, a tool that knows nothing about the mesh, reads the CloudEvents binding.
        let bootstrap = try XCTUnwrap(configuration.bootstrapServers)
        let kcat = try await runToCompletion(
            URL(fileURLWithPath: "/usr/bin/kcat"),
            ["-b", bootstrap, "-C", "-t", "mesh.results", "-f", "%h\n", "-e", "-o", "beginning", "-q"],
            workingDirectory: workspace.url)
        XCTAssertEqual(kcat.status, 0, kcat.stderr)
        for envelope in envelopes {
            let line = try XCTUnwrap(kcat.stdout.split(separator: "\n").first { $0.contains("ce_id=\(envelope.id)") }, kcat.stdout)
            for expected in ["ce_type=agentmesh.task.result.v1", "ce_source=/mesh/coding/agent-1", "ce_specversion=1.0",
                             "ce_time=", "traceparent=00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                             "content-type=\(CloudEventHeaders.contentType)", "ce_correlationid=\(envelope.correlationID)"] {
                XCTAssertTrue(line.contains(expected), "missing \(expected) in \(line)")
            }
        }

        // A group reader prints 3, commits them; the next run continues with the other 5.
        let first = try await meshctl(["tail", "mesh.results", "--group", "auditors", "--count", "3", "--json"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let firstIDs = try ids(first.stdout)
        XCTAssertEqual(firstIDs.count, 3)
        let second = try await meshctl(["tail", "mesh.results", "--group", "auditors", "--seconds", "15", "--json"])
        XCTAssertEqual(second.status, 0, second.stderr)
        let secondIDs = try ids(second.stdout)
        XCTAssertEqual(secondIDs.count, 5, second.stdout)
        XCTAssertEqual(Set(firstIDs + secondIDs), Set(envelopes.map(\.id)), "every envelope exactly once over both runs")
        XCTAssertTrue((first.stderr + second.stderr).contains("malformed"), "the garbage record is reported: \(first.stderr)")
    }

    private func ids(_ jsonLines: String) throws -> [String] {
        try jsonLines.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String]
            return try XCTUnwrap(object?["id"])
        }
    }
}
