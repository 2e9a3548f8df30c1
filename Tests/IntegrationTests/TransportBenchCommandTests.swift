import Foundation
import MeshTestSupport
import XCTest

/// `meshctl bench transport --json` runs every path end to end (a small run: figures are not
/// judged here, only that each path moved every record and the report is consistent).
final class TransportBenchCommandTests: XCTestCase {
    func testSmallRunReportsEveryPathAndAFairlySizedEnvelope() async throws {
        let workspace = try TemporaryDirectory()
        defer { workspace.remove() }
        let run = try await runToCompletion(
            try Executables.url("meshctl"),
            ["bench", "transport", "--records", "2000", "--rounds", "1", "--ed25519-records", "50", "--json"],
            workingDirectory: workspace.url, timeout: .seconds(120))
        XCTAssertEqual(run.status, 0, run.stderr)
        let figures = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.stdout)
        func number(_ key: String) throws -> Double { try XCTUnwrap(figures[key] as? Double, "\(key) missing in \(figures)") }
        for key in ["rawPerSecond", "hmacPerSecond", "ed25519PerSecond", "rawWithHeadersPerSecond", "kafkaLayerPerSecond", "kafkaLayerCPUMicrosPerRecord"] {
            XCTAssertGreaterThan(try number(key), 0, key)
        }
        XCTAssertEqual(try number("hmacRatio"), try number("hmacPerSecond") / number("rawPerSecond"), accuracy: 1e-9)
        XCTAssertEqual(
            try number("hmacRatioToRawWithHeaders"), try number("hmacPerSecond") / number("rawWithHeadersPerSecond"),
            accuracy: 1e-9)
        XCTAssertEqual(try number("kafkaLayerRatio"), try number("kafkaLayerPerSecond") / number("rawPerSecond"), accuracy: 1e-9)
        // CPU per record beyond raw librdkafka, for both signing algorithms.
        XCTAssertEqual(
            try number("hmacCPUMicrosOverRaw"), try number("hmacCPUMicrosPerRecord") - number("rawCPUMicrosPerRecord"),
            accuracy: 1e-9)
        XCTAssertGreaterThan(try number("ed25519CPUMicrosPerRecord"), 0)
        XCTAssertEqual(
            try number("ed25519CPUMicrosOverRaw"), try number("ed25519CPUMicrosPerRecord") - number("rawCPUMicrosPerRecord"),
            accuracy: 1e-9)
        XCTAssertEqual(figures["meetsHMACTarget"] as? Bool, try number("hmacRatio") >= number("hmacTargetRatio"))
        // The comparison is fair only if a sealed envelope is about as large as a raw record.
        let recordBytes = try number("recordBytes")
        XCTAssertEqual(try number("envelopeValueBytes"), recordBytes, accuracy: 0.1 * recordBytes)
        XCTAssertGreaterThan(try number("envelopeHeaderBytes"), 100, "the CloudEvents headers are on the envelope path")
        let stages = try XCTUnwrap(figures["hmacStageMicros"] as? [String: Double])
        XCTAssertEqual(stages.count, 9, "\(stages)")
        // The ceiling is built from this run's own figures and never exceeds its bare path.
        let ceiling = try XCTUnwrap(figures["hmacCeiling"] as? [String: Any], "\(figures)")
        let ceilingRate = try XCTUnwrap(ceiling["perSecond"] as? Double)
        let floor = try XCTUnwrap(ceiling["minimumCPUMicrosPerRecord"] as? Double)
        let bare = try XCTUnwrap(ceiling["bareCPUMicrosPerRecord"] as? Double)
        let added = ["1 build envelope", "4 seal (encode+sign+frame)", "5 headers", "9 open (framing+verify+decode)"]
        XCTAssertEqual(floor, bare + added.compactMap { stages[$0] }.reduce(0, +), accuracy: 1e-9, "\(stages)")
        XCTAssertGreaterThan(bare, 0)
        XCTAssertLessThanOrEqual(ceilingRate, try number("rawWithHeadersPerSecond"))
        let ceilingRatio = try XCTUnwrap(ceiling["ratio"] as? Double)
        XCTAssertEqual(ceilingRatio, try ceilingRate / number("rawPerSecond"), accuracy: 1e-9)
        let target = try number("hmacTargetRatio")
        XCTAssertEqual(figures["targetReachableHere"] as? Bool, ceilingRatio >= target)
    }
}
