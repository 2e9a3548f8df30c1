import MeshKafka
@testable import MeshRuntime
import XCTest

/// The static membership id every role instance joins its group with.
final class StaticMembershipTests: XCTestCase {
    private func instanceID(role: String, instance: String, kafka: KafkaConfiguration = KafkaConfiguration(bootstrapServers: "b:9092")) -> String? {
        RoleWorker.consumerConfiguration(kafka, RoleWorkerConfiguration(role: role, instanceID: instance, topics: ["t"]))["group.instance.id"]
    }

    func testTheInstanceJoinsAsAStaticMemberNamedAfterRoleAndInstance() {
        XCTAssertEqual(instanceID(role: "reviewer", instance: "reviewer-2"), "reviewer-reviewer-2")
        XCTAssertEqual(instanceID(role: "reviewer", instance: "a"), instanceID(role: "reviewer", instance: "a"), "stable across restarts")
    }

    func testTwoRolesSharingAnInstanceNameGetDistinctIDs() {
        XCTAssertNotEqual(instanceID(role: "reviewer", instance: "1"), instanceID(role: "compliance", instance: "1"))
    }

    func testAnIDTheOperatorSetWins() {
        let kafka = KafkaConfiguration(bootstrapServers: "b:9092", properties: ["group.instance.id": "pod-7"])
        XCTAssertEqual(instanceID(role: "reviewer", instance: "1", kafka: kafka), "pod-7")
    }
}
