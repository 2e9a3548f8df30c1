import MeshCLI
import MeshWire
import XCTest

final class AgentRosterTests: XCTestCase {
    let now: Int64 = 1_000_000_000_000

    func card(_ id: String, role: String = "coding", interval: UInt32 = 1_000, stopping: Bool = false,
              processed: UInt64 = 0) -> AgentHeartbeat {
        AgentHeartbeat(agentID: id, role: role, processed: processed, intervalMillis: interval, stopping: stopping)
    }

    func testTheLatestCardPerInstanceDecidesLiveStaleOrStopped() {
        let roster = AgentRoster(cards: [
            (card("c-1", processed: 1), now - 10_000_000, "coding"),
            (card("c-1", processed: 9), now - 500_000, "coding"),  // the latest card counts
            (card("c-2"), now - 3_500_000, "coding"),  // more than three 1 s intervals ago
            (card("r-1", role: "reviewer", stopping: true), now - 100_000, "reviewer"),
        ], nowUnixMicros: now)
        XCTAssertEqual(roster.entries.map(\.card.agentID), ["c-1", "c-2", "r-1"])
        XCTAssertEqual(roster.entries.map(\.liveness), [.live, .stale, .stopped])
        XCTAssertEqual(roster.entries[0].card.processed, 9)
        XCTAssertEqual(roster.live("coding").map(\.card.agentID), ["c-1"])
        XCTAssertNil(roster.absence(of: "coding", now: now))
        XCTAssertEqual(roster.absence(of: "reviewer", now: now), "no live reviewer instance (stopped 0s ago)")
        XCTAssertEqual(roster.absence(of: "ux", now: now), "no live ux instance (none ever seen)")
    }

    func testACardSignedByAnotherRoleIsIgnored() {
        let roster = AgentRoster(cards: [(card("fake", role: "compliance"), now, "coding")], nowUnixMicros: now)
        XCTAssertTrue(roster.entries.isEmpty, "one role's key cannot make another role look alive")
        XCTAssertEqual(roster.absence(of: "compliance", now: now), "no live compliance instance (none ever seen)")
    }

    func testAStaleInstanceIsNamedWithItsAge() {
        let roster = AgentRoster(cards: [(card("c-1"), now - 300_000_000, "coding")], nowUnixMicros: now)
        XCTAssertEqual(roster.absence(of: "coding", now: now), "no live coding instance (last seen 5m ago)")
        XCTAssertEqual(AgentRoster.age(45_000_000), "45s")
        XCTAssertEqual(AgentRoster.age(3 * 3_600_000_000), "3h")
        XCTAssertEqual(AgentRoster.age(3 * 86_400_000_000), "3d")
    }
}
