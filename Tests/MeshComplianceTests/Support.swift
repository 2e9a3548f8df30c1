import XCTest
@testable import MeshCompliance

/// Raw matched substrings, in order.
func found(_ d: some TextDetector, _ s: String) -> [String] {
    let t = ScanText(s)
    var m: [DetectorMatch] = []
    d.scan(t, into: &m)
    return m.map { t.string($0.start, $0.end) }
}

/// `line:column:value` for each match (1-based, column in Unicode scalars).
func spots(_ d: some TextDetector, _ s: String) -> [String] {
    let t = ScanText(s)
    var m: [DetectorMatch] = []
    d.scan(t, into: &m)
    let idx = LineIndex(t)
    return m.map { let p = idx.position(of: $0.start); return "\(p.line):\(p.column):\(t.string($0.start, $0.end))" }
}

/// Masked renderings.
func masks(_ d: some TextDetector, _ s: String) -> [String] { d.matches(in: s).map(\.masked) }

/// Asserts that every string in `negatives` yields no match.
func assertNone(_ d: some TextDetector, _ negatives: [String], file: StaticString = #filePath, line: UInt = #line) {
    for n in negatives {
        XCTAssertEqual(found(d, n), [], "unexpected match in: \(n)", file: file, line: line)
    }
}

/// Path of the repository's `Policies/` directory, located from this file.
let policiesDirectory: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.appendingPathComponent("Policies").path
}()

/// The shipped bundle (loaded once).
let shippedBundle: PolicyBundle = try! PolicyBundle.load(directory: policiesDirectory)
