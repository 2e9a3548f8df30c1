import Foundation
import MeshCompliance
#if canImport(Glibc)
import Glibc
#endif

/// Scores a policy bundle on the synthetic evaluation set: document-level precision, recall
/// and specificity (a document is flagged when its decision is not approve), span recall per
/// class (a planted span counts as found when an unsuppressed finding of the same class
/// overlaps it), and throughput on one core.
public struct ComplianceBenchmark {
    public struct Figures: Codable, Sendable {
        public var documents: Int
        public var positives: Int
        public var negatives: Int
        public var truePositives: Int
        public var falsePositives: Int
        public var trueNegatives: Int
        public var falseNegatives: Int
        public var precision: Double
        public var recall: Double
        public var specificity: Double
        /// Class → recall of planted spans of that class.
        public var spanRecall: [String: Double]
        /// Class → number of planted spans.
        public var spans: [String: Int]
        public var bytes: Int
        /// Wall-clock seconds of the timed passes.
        public var seconds: Double
        /// CPU seconds the evaluating thread used in those passes.
        public var cpuSeconds: Double
        /// Megabytes (10^6 bytes) evaluated per CPU second of the one evaluating thread: the
        /// figure "on one core", unaffected by other work on a shared machine.
        public var megabytesPerSecond: Double
        /// Megabytes per wall-clock second (lower when the core is shared).
        public var megabytesPerWallSecond: Double
        /// What `megabytesPerSecond` measures, so a reader of the JSON need not guess.
        public var throughputMeasure = ComplianceBenchmark.throughputMeasure
        public var targets: [String: Bool]
        /// Documents judged wrongly, for diagnosis: `generator name: reason`.
        public var misjudged: [String]
    }

    /// The definition of `megabytesPerSecond`, printed with it.
    public static let throughputMeasure =
        "MB (10^6 bytes) evaluated per CPU second of the one evaluating thread (clock_gettime CLOCK_THREAD_CPUTIME_ID), whole passes"

    /// Classes whose span recall must be ≥ 0.95 (issue #17).
    public static let spanTargets = ["name", "ssn", "mrn", "dob", "phone", "email"]

    public let bundle: PolicyBundle
    public let documents: [EvaluationDocument]

    public init(bundle: PolicyBundle, documents: [EvaluationDocument] = EvaluationDocument.syntheticSet()) {
        self.bundle = bundle
        self.documents = documents
    }

    static func subject(_ d: EvaluationDocument) -> ComplianceSubject {
        ComplianceSubject(taskId: d.name, role: "coder", risk: .medium,
                          artifacts: [Artifact(name: d.name, mediaType: d.mediaType, content: d.content)])
    }

    /// Scores the set; throughput is measured over whole passes for at least `minimumSeconds`.
    public func run(minimumSeconds: Double = 1.0) -> Figures {
        var tp = 0, fp = 0, tn = 0, fn = 0
        var found: [String: Int] = [:], planted: [String: Int] = [:]
        var misjudged: [String] = []
        for d in documents {
            let e = bundle.evaluate(Self.subject(d))
            let flagged = e.decision != .approve
            switch (d.isPositive, flagged) {
            case (true, true): tp += 1
            case (true, false): fn += 1; misjudged.append("\(d.generator) \(d.name): missed")
            case (false, true):
                fp += 1
                misjudged.append("\(d.generator) \(d.name): flagged clean by " + e.findings.map { "\($0.ruleId)@\($0.line ?? 0):\($0.column ?? 0)" }.joined(separator: ","))
            case (false, false): tn += 1
            }
            for span in d.labels {
                planted[span.label, default: 0] += 1
                let cls = Self.identifierClass(span.label)
                let hit = e.findings.contains { f in
                    guard let s = f.start, let t = f.end, s < span.end, span.start < t else { return false }
                    return f.identifierClass == cls
                }
                if hit { found[span.label, default: 0] += 1 } else {
                    let text = String(String.UnicodeScalarView(d.content.unicodeScalars.dropFirst(span.start).prefix(span.end - span.start)))
                    misjudged.append("\(d.generator) \(d.name): span \(span.label) '\(text)' not found")
                }
            }
        }
        // Throughput: whole passes over the set, one thread.
        let throughput = Self.throughput(bundle: bundle, artifacts: documents.map {
            Artifact(name: $0.name, mediaType: $0.mediaType, content: $0.content)
        }, minimumSeconds: minimumSeconds)
        let bytes = throughput.bytes, elapsed = throughput.seconds, cpu = throughput.cpuSeconds
        let mbps = throughput.megabytesPerSecond

        let precision = tp + fp == 0 ? 1 : Double(tp) / Double(tp + fp)
        let recall = tp + fn == 0 ? 1 : Double(tp) / Double(tp + fn)
        let specificity = tn + fp == 0 ? 1 : Double(tn) / Double(tn + fp)
        var spanRecall: [String: Double] = [:]
        for (label, count) in planted { spanRecall[label] = Double(found[label, default: 0]) / Double(count) }
        var targets: [String: Bool] = [
            "document_recall>=0.98": recall >= 0.98, "precision>=0.90": precision >= 0.90,
            "specificity>=0.90": specificity >= 0.90, "megabytes_per_second>=10": mbps >= 10,
        ]
        for c in Self.spanTargets { targets["span_recall.\(c)>=0.95"] = (spanRecall[c] ?? 0) >= 0.95 }
        return Figures(documents: documents.count, positives: tp + fn, negatives: tn + fp, truePositives: tp, falsePositives: fp,
                       trueNegatives: tn, falseNegatives: fn, precision: precision, recall: recall, specificity: specificity,
                       spanRecall: spanRecall, spans: planted, bytes: bytes, seconds: elapsed, cpuSeconds: cpu,
                       megabytesPerSecond: mbps, megabytesPerWallSecond: throughput.megabytesPerWallSecond,
                       targets: targets, misjudged: misjudged)
    }

    /// Evaluation speed over `artifacts`, each judged as its own subject, on the calling thread.
    public struct Throughput: Codable, Sendable {
        public var files: Int
        public var bytes: Int
        public var passes: Int
        public var seconds: Double
        public var cpuSeconds: Double
        /// MB (10^6 bytes) per CPU second of the evaluating thread.
        public var megabytesPerSecond: Double
        public var megabytesPerWallSecond: Double
        public var throughputMeasure = ComplianceBenchmark.throughputMeasure
    }

    /// Whole passes over `artifacts` for at least `minimumSeconds` of wall time.
    public static func throughput(bundle: PolicyBundle, artifacts: [Artifact], minimumSeconds: Double) -> Throughput {
        let subjects = artifacts.map { ComplianceSubject(taskId: $0.name, role: "coder", risk: .medium, artifacts: [$0]) }
        let bytes = artifacts.reduce(0) { $0 + $1.content.utf8.count }
        var passes = 0
        let start = DispatchTime.now().uptimeNanoseconds
        let cpuStart = threadCPUSeconds()
        var elapsed = 0.0
        repeat {
            for s in subjects { _ = bundle.evaluate(s) }
            passes += 1
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        } while elapsed < minimumSeconds
        let cpu = max(threadCPUSeconds() - cpuStart, 1e-9)
        return Throughput(files: artifacts.count, bytes: bytes, passes: passes, seconds: elapsed, cpuSeconds: cpu,
                          megabytesPerSecond: Double(bytes * passes) / 1_000_000 / cpu,
                          megabytesPerWallSecond: Double(bytes * passes) / 1_000_000 / max(elapsed, 1e-9))
    }

    /// CPU time of the calling thread.
    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// The finding class that recalls a label (`dob` is a date).
    static func identifierClass(_ label: String) -> IdentifierClass? {
        label == "dob" ? .date : IdentifierClass(rawValue: label)
    }
}
