import ArgumentParser
import Foundation
import MeshCompliance
import MeshModel
import MeshModelFake

/// `meshctl bench model`: model-backed coding tasks through the whole mesh against an
/// endpoint that answers at once, so what is measured is the mesh's own overhead per
/// model-backed task (handler, egress guard, HTTP, review, compliance), not model time; and
/// the egress guard's own cost per KiB of prompt.
struct ModelBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Model-backed tasks/s through the whole mesh (guard on, instant fake endpoint) and the guard's cost per KiB.",
        discussion: """
            Starts an OpenAI-compatible endpoint in this process on loopback that answers every \
            request at once with a valid result (a source file and its test), then runs the \
            pipeline benchmark with the coding agent on --handler model against it (Agents/coding.yaml, \
            egress guard on, transcripts kept), once per role key algorithm in --key-algorithms: HMAC \
            role keys are the throughput option, Ed25519 (the default) makes every role signature \
            attributable and costs a verification per envelope per consumer. Separately, screens a prompt of --guard-prompt-bytes \
            (code plus one patient's name, SSN and MRN) --guard-rounds times with the shipped \
            policy packs. Run from the repository, after swift build -c release.
            """)

    @Option(help: "Objectives (one model-backed coding task each) in the throughput phase.") var objectives = 2_000
    @Option(name: .customLong("paced-seconds"), help: "Length of the paced latency phase.") var pacedSeconds = 3.0
    @Option(help: "Seconds to wait for the objectives to complete.") var timeout = 300.0
    @Option(name: .customLong("key-algorithms"), help: ArgumentHelp(
        "Role key algorithms to run the mesh with, one run each.", valueName: "algorithm,…"))
    var keyAlgorithms = "hmac-sha256,ed25519"
    @Option(name: .customLong("guard-prompt-bytes"), help: "Prompt size for the guard measurement.") var guardPromptBytes = 8192
    @Option(name: .customLong("guard-rounds"), help: "Prompts screened in the guard measurement.") var guardRounds = 500
    @Option(help: ArgumentHelp("Policy packs the guard applies.", valueName: "dir")) var policies = "Policies"
    @Flag(help: "Print the figures as JSON on stdout.") var json = false

    struct Figures: Codable {
        /// One run of the whole mesh per role key algorithm, in the order asked for.
        var runs: [Run]
        var targetTasksPerSecond: Double
        /// Requests the fake endpoint received over all runs (one per task unless retries or repairs happened).
        var endpointRequests: Int
        var egressGuard: EgressGuardBenchmark.Figures
    }

    struct Run: Codable {
        var keyAlgorithm: String
        var pipeline: PipelineBench.Figures
        /// Model-backed tasks completed per second through the mesh (one task per objective).
        var tasksPerSecond: Double
        var targetMet: Bool
    }

    func run() async throws {
        try await withFiguresOnStdout(json: json) {
            let bundle = try PolicyBundle.load(directory: policies)
            progress("egress guard: \(guardRounds) prompts of \(guardPromptBytes) B…")
            let role = try PipelineBench.agentRoles(OpsMeshLayout.parse([])).first ?? ""
            let guardFigures = EgressGuardBenchmark.run(
                policies: bundle, role: role, promptBytes: guardPromptBytes, rounds: guardRounds)
            let endpoint = try FakeModelServer(flavour: .openAIChat, defaultAnswer: FakeModelServer.json([
                "summary": "implemented with a test",
                "artifacts": [
                    ["name": "Sources/App/Feature.swift", "media_type": "text/x-swift", "content": "struct Feature {}\n"],
                    ["name": "Tests/AppTests/FeatureTests.swift", "media_type": "text/x-swift", "content": "import XCTest\n"],
                ],
            ]))
            defer { endpoint.stop() }
            let pipeline = try PipelineBench.parse([
                "--objectives", String(objectives), "--paced-seconds", String(pacedSeconds), "--timeout", String(timeout),
                "--model-endpoint", endpoint.url, "--model", "bench-instant", "--key-algorithms", keyAlgorithms,
            ])
            let target = 500.0
            let runs = try await pipeline.measureAll().map {
                Run(keyAlgorithm: $0.keyAlgorithm, pipeline: $0, tasksPerSecond: $0.objectivesPerSecond,
                    targetMet: $0.objectivesPerSecond >= target)
            }
            let figures = Figures(runs: runs, targetTasksPerSecond: target, endpointRequests: endpoint.requestCount,
                                  egressGuard: guardFigures)
            return (figures, Self.report(figures))
        }
    }

    static func report(_ figures: Figures) -> String {
        let guardFigures = figures.egressGuard
        let runs = figures.runs.map { run in
            PipelineBench.report(run.pipeline) + "\n" + """
                model-backed tasks, \(run.keyAlgorithm) role keys: \(String(format: "%.0f", run.tasksPerSecond))/s through the whole mesh \
                with the egress guard on (target ≥ \(Int(figures.targetTasksPerSecond))/s: \(run.targetMet ? "met" : "NOT met"))
                """
        }
        return runs.joined(separator: "\n") + "\n" + """
            \(figures.endpointRequests) requests to the instant endpoint over all runs
            egress guard: \(String(format: "%.1f", guardFigures.microsecondsPerKiB)) µs per KiB of prompt \
            (\(String(format: "%.0f", guardFigures.microsecondsPerPrompt)) µs per \(guardFigures.promptBytes) B prompt, \
            \(guardFigures.maskedValues) values masked, \(guardFigures.rounds) rounds)
            """
    }
}
