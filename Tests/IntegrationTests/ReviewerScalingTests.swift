import Foundation
import MeshTestSupport
import MeshWire
import XCTest

/// Scaling consumers horizontally: a backlog of results drained by 1, 2 and 4 reviewer
/// processes. Each result must get exactly one verdict (copies written again after a rebalance
/// are byte-identical); the throughput of each run is printed
/// as a figure (not asserted: the machine is shared).
final class ReviewerScalingTests: XCTestCase {
    static let backlog = 600

    func testOneTwoAndFourReviewersDrainABacklogJudgingEachResultOnce() async throws {
        var figures: [(reviewers: Int, perSecond: Double)] = []
        for reviewers in [1, 2, 4] {
            let mesh = try await MeshHarness()
            defer { mesh.shutdown() }
            let resultIDs = try await mesh.publishResultBacklog(Self.backlog, correlationPrefix: "backlog")
            let start = ContinuousClock.now
            for index in 1...reviewers { try mesh.start("reviewer-\(index)", "mesh-reviewer") }
            try await eventually("\(reviewers) reviewers judge the backlog", timeout: .seconds(120)) {
                Set(await mesh.observed.values.filter { $0.verdict != nil }.map(\.id)).count >= Self.backlog
            }
            let elapsed = ContinuousClock.now - start
            try await Task.sleep(for: .seconds(1))  // a second verdict for any result would arrive now
            // A result whose offset was not committed when its partition moved (the embedded
            // broker refuses commits during a rebalance) is judged again by its new owner: the
            // same verdict, byte for byte (derived id, the result's time, the role's source),
            // which every consumer drops. So each result has one verdict, however many copies.
            let envelopes = await mesh.observed.values.filter { $0.verdict != nil }
            let copies = Dictionary(grouping: envelopes, by: \.id)
            XCTAssertEqual(copies.count, Self.backlog, "\(reviewers) reviewers: one verdict per result")
            XCTAssertTrue(copies.values.allSatisfy { Set($0).count == 1 }, "\(reviewers) reviewers: every copy of a verdict is the same")
            let verdicts = copies.values.compactMap { $0.first?.verdict }
            XCTAssertEqual(Set(verdicts.map(\.resultEnvelopeID)), resultIDs, "\(reviewers) reviewers: every result judged")
            print("reviewer scaling: \(reviewers) reviewer(s): \(envelopes.count - copies.count) verdict(s) written again after a rebalance")
            // Verdicts name the role, not the instance: each instance's share is in its /metrics.
            for index in 1...reviewers {
                let processed = try await mesh.processed("reviewer-\(index)", topic: "mesh.results")
                XCTAssertGreaterThan(processed, 0, "\(reviewers) reviewers: reviewer-\(index) took a share")
            }
            let (seconds, attoseconds) = elapsed.components
            figures.append((reviewers, Double(Self.backlog) / (Double(seconds) + Double(attoseconds) / 1e18)))
        }
        // Includes each group's ~3 s first join: a figure for comparing counts, not a target.
        for figure in figures {
            print("reviewer scaling: \(figure.reviewers) reviewer(s) drained \(Self.backlog) results at \(Int(figure.perSecond)) results/s")
        }
    }
}
