import ArgumentParser
import Foundation
import MeshCompliance
import MeshComplianceEvaluation

/// `meshctl bench compliance`: the policy packs scored on the synthetic evaluation set.
struct ComplianceBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compliance",
        abstract: "Precision, recall, specificity, span recall per class and MB/s of the compliance policy packs.",
        discussion: """
            The evaluation set is synthetic and deterministic (Tests/ComplianceEvaluation): code \
            (Swift, Python, JavaScript, shell), config (YAML, TOML, .env, Java properties), JSON, \
            SQL, logs, markdown, support tickets, e-mail, clinical and social-history notes, FHIR, HL7 v2 and CSV \
            documents from 20 independent generators, half with planted identifiers and secrets \
            (labelled spans), all with look-alikes of every exclusion kind. People come from the \
            held-out split of the Census names, so the detectors' dictionaries never contain them.

            A document is flagged when its decision is not approve. Span recall counts a planted \
            span as found when an unsuppressed finding of the same class overlaps it. MB/s is \
            measured on one thread over whole passes, per CPU second of that thread (so other work on \
            a shared machine does not count against it; MB per wall second is printed too). Build \
            with -c release for real figures:
              swift build -c release --product meshctl && .build/release/meshctl bench compliance --json
            Targets: document recall ≥ 0.98, precision ≥ 0.90, specificity ≥ 0.90, span recall \
            ≥ 0.95 for name, ssn, mrn, dob, phone, email, and ≥ 10 MB/s.
            """)

    @Option(help: ArgumentHelp("Policy pack folder.", valueName: "dir")) var policies = "Policies"
    @Option(help: "Documents per generator (half positive).") var perGenerator = 40
    @Option(help: "Seed of the evaluation set.") var seed: UInt64 = 0x0A6E_17E5
    @Option(help: "Minimum seconds of timed passes.") var seconds = 2.0
    @Option(name: .customLong("files"), help: ArgumentHelp(
        "Also time the packs over real files or directories (unlabelled: throughput only), e.g. this repository's Sources.",
        valueName: "path")) var files: [String] = []
    @Flag(help: "Print the figures as JSON.") var json = false
    @Flag(help: "List misjudged documents and missed spans.") var verbose = false

    func run() throws {
        let bundle = try PolicyBundle.load(directory: policies)
        var figures = ComplianceBenchmark(bundle: bundle, documents: EvaluationDocument.syntheticSet(seed: seed, perGenerator: perGenerator))
            .run(minimumSeconds: seconds)
        if !verbose { figures.misjudged = Array(figures.misjudged.prefix(20)) }
        let onFiles = files.isEmpty ? nil
            : ComplianceBenchmark.throughput(bundle: bundle, artifacts: try ScanFiles.read(files, maxBytes: 8 * 1024 * 1024), minimumSeconds: seconds)
        if json {
            struct Output: Encodable {
                var evaluationSet: ComplianceBenchmark.Figures
                var files: ComplianceBenchmark.Throughput?
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(Output(evaluationSet: figures, files: onFiles)), as: UTF8.self))
            return
        }
        func f(_ v: Double) -> String { String(format: "%.3f", v) }
        print("compliance benchmark: \(figures.documents) documents (\(figures.positives) with identifiers), \(figures.bytes) bytes, bundle \(bundle.hash.prefix(12))")
        print("  documents  precision \(f(figures.precision))  recall \(f(figures.recall))  specificity \(f(figures.specificity))  (tp \(figures.truePositives) fp \(figures.falsePositives) tn \(figures.trueNegatives) fn \(figures.falseNegatives))")
        for (label, recall) in figures.spanRecall.sorted(by: { $0.key < $1.key }) {
            print("  span recall \(label.padding(toLength: 15, withPad: " ", startingAt: 0)) \(f(recall))  (\(figures.spans[label] ?? 0) spans)")
        }
        print("  throughput \(String(format: "%.1f", figures.megabytesPerSecond)) MB per CPU second on one thread (\(String(format: "%.1f", figures.megabytesPerWallSecond)) MB per wall second)")
        if let onFiles {
            print("  throughput on \(onFiles.files) file(s), \(onFiles.bytes) bytes: \(String(format: "%.1f", onFiles.megabytesPerSecond)) MB per CPU second (\(String(format: "%.1f", onFiles.megabytesPerWallSecond)) MB per wall second)")
        }
        for (target, met) in figures.targets.sorted(by: { $0.key < $1.key }) { print("  \(met ? "met    " : "NOT met") \(target)") }
        for line in figures.misjudged { print("  misjudged: \(line)") }
    }
}
