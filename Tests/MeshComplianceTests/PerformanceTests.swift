import XCTest
@testable import MeshCompliance

/// Non-asserting throughput figure: a 4 KiB artifact against the whole shipped bundle.
/// Run in release for a meaningful number:
/// `swift test -c release -Xswiftc -enable-testing --filter MeshComplianceTests.PerformanceTests`
final class PerformanceTests: XCTestCase {
    static func artifact4KiB() -> String {
        var s = ""
        let prose = "The scheduler retries failed deliveries with exponential backoff; see design note 12 for the rationale and limits. "
        var k = 0
        while s.utf8.count < 4096 {
            s += prose
            if k % 6 == 0 { s += "\nPatient MRN: 8812\(k)45, phone 415-555-26\(10 + k % 80).\n" }
            if k % 9 == 0 { s += "let retries = \(k) // max 5 per 10.0 s\n" }
            k += 1
        }
        return String(s.utf8.prefix(4096))!
    }

    func testEvaluate4KiBArtifact() {
        let bundle = shippedBundle
        let s = ComplianceSubject(taskId: "T-perf", role: "coder", risk: .high, safetyClass: .c,
                                  attributes: ["requirement_ids": "SRS-101"],
                                  artifacts: [Artifact(name: "report.md", mediaType: "text/markdown", content: Self.artifact4KiB())],
                                  signatures: [ElectronicSignature(printedName: "A", signedAt: "2026-01-01T00:00:00Z", meaning: "review")],
                                  approvals: [HumanApproval(approver: "qa")])
        var findings = 0
        for _ in 0..<5 { findings = bundle.evaluate(s).findings.count }  // warm-up
        // Time-bounded: ~0.5 s of evaluations (debug builds are ~50x slower than release).
        var iterations = 0
        let start = DispatchTime.now().uptimeNanoseconds
        var now = start
        while now - start < 500_000_000 {
            for _ in 0..<10 { findings &+= bundle.evaluate(s).findings.count & 0 }
            iterations += 10
            now = DispatchTime.now().uptimeNanoseconds
        }
        let elapsed = Double(now - start) / Double(iterations) / 1000
        print(String(format: "PERF: 4 KiB artifact, %d rules, %d findings: %.1f µs per evaluation", bundle.rules.count, findings, elapsed))
    }

    func testDetectorBreakdown() {
        let text = ScanText(Self.artifact4KiB())
        var m: [DetectorMatch] = []
        for rule in shippedBundle.rules {
            guard case .text(let d) = rule.detector else { continue }
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<50 { m.removeAll(keepingCapacity: true); d.scan(text, into: &m) }
            let us = Double(DispatchTime.now().uptimeNanoseconds - start) / 50 / 1000
            print(String(format: "PERF: %-28@ %6.2f µs", rule.id, us))
        }
    }
}
