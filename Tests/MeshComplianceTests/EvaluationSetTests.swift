import XCTest
@testable import MeshCompliance
@testable import MeshComplianceEvaluation

/// The synthetic evaluation set is deterministic, independent of the detectors' dictionaries,
/// and the shipped packs meet the quality targets of issue #17 on it (throughput is measured by
/// `meshctl bench compliance` on a release build, not here).
final class EvaluationSetTests: XCTestCase {
    func testDeterministicAndLabelledWithinBounds() {
        let a = EvaluationDocument.syntheticSet(perGenerator: 6), b = EvaluationDocument.syntheticSet(perGenerator: 6)
        XCTAssertEqual(a.map(\.content), b.map(\.content))
        XCTAssertEqual(Set(a.map(\.generator)).count, 20)
        for d in a {
            let length = d.content.unicodeScalars.count
            for l in d.labels { XCTAssertTrue(l.start < l.end && l.end <= length, "\(d.name) \(l)") }
        }
        XCTAssertNotEqual(EvaluationDocument.syntheticSet(seed: 7, perGenerator: 2).map(\.content), EvaluationDocument.syntheticSet(perGenerator: 2).map(\.content))
    }

    func testPeopleComeFromNamesTheDetectorsDoNotKnow() {
        for first in HeldOutNames.first { XCTAssertFalse(CensusNames.firstNames.contains(first), first) }
        for last in HeldOutNames.last { XCTAssertFalse(CensusNames.surnames.contains(last), last) }
    }

    /// The generated Swift (`scripts/generate-name-dictionaries.py`) holds exactly the data files.
    func testGeneratedDictionariesMatchTheDataFiles() throws {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        for (file, set) in [("census1990-first-names.txt", CensusNames.firstNames), ("census1990-surnames.txt", CensusNames.surnames)] {
            let names = try String(contentsOf: root.appendingPathComponent("Data/names/\(file)"), encoding: .utf8)
                .split(separator: "\n").map(String.init)
            XCTAssertEqual(set.count, Set(names.map { $0.lowercased() }).count, "\(file): regenerate with scripts/generate-name-dictionaries.py")
            for name in names { XCTAssertTrue(set.contains(name), "\(file): \(name)") }
        }
    }

    /// The generated Swift (`scripts/generate-places.py`) holds exactly the gazetteer files.
    func testGeneratedPlacesMatchTheDataFiles() throws {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        let cities = try String(contentsOf: root.appendingPathComponent("Data/places/us-cities.tsv"), encoding: .utf8)
        var pairs = 0
        for line in cities.split(separator: "\n") {
            let u = Array(line.utf8)
            for city in line.dropFirst(3).split(separator: "|") {
                let b = Array(city.utf8)
                XCTAssertTrue(USPlaces.isCity(b, 0, b.count, state: (u[0], u[1])), "\(city), \(line.prefix(2)): regenerate with scripts/generate-places.py")
                pairs += 1
            }
        }
        XCTAssertEqual(pairs, 29_597)
        let runs = try String(contentsOf: root.appendingPathComponent("Data/places/us-zip-codes.txt"), encoding: .utf8)
        var codes = 0
        for run in runs.split(whereSeparator: { $0 == "," || $0 == "\n" }) {
            let ends = run.split(separator: "-").map { Int($0)! }
            for code in ends[0]...ends[ends.count - 1] { XCTAssertTrue(USPlaces.isZIPCode(code), "\(code)"); codes += 1 }
        }
        XCTAssertEqual(codes, 42_789)
        XCTAssertEqual((0..<100_000).filter(USPlaces.isZIPCode).count, codes)
    }

    func testShippedPacksMeetTheQualityTargets() {
        let figures = ComplianceBenchmark(bundle: shippedBundle, documents: EvaluationDocument.syntheticSet(perGenerator: 20)).run(minimumSeconds: 0)
        let diagnosis = figures.misjudged.prefix(20).joined(separator: "\n")
        XCTAssertGreaterThanOrEqual(figures.recall, 0.98, diagnosis)
        XCTAssertGreaterThanOrEqual(figures.precision, 0.90, diagnosis)
        XCTAssertGreaterThanOrEqual(figures.specificity, 0.90, diagnosis)
        for c in ComplianceBenchmark.spanTargets {
            XCTAssertGreaterThanOrEqual(figures.spanRecall[c] ?? 0, 0.95, "\(c)\n\(diagnosis)")
        }
    }
}
