import ArgumentParser
import Foundation
import Logging
import MeshBenchmarks
import MeshLogging

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks on the embedded broker, reported as ratios to a baseline measured in the same run.",
        discussion: "Build in release mode for meaningful figures: swift run -c release meshctl bench transport",
        subcommands: [Transport.self, PipelineBench.self, ModelBench.self, AuditBench.self, ComplianceBench.self, ConsoleBench.self])

    struct Transport: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sealed envelopes (encode, sign, produce, consume, verify, decode) vs raw librdkafka records.",
            discussion: """
                Every path runs through one embedded broker in this process, alternating round by round; \
                the best round of each is reported, as a ratio to raw librdkafka in the same run. Two \
                diagnostics split the gap: raw records shaped like the envelopes with their CloudEvents \
                headers, and pre-sealed envelopes through the mesh's own Kafka producer and consumer. \
                The ceiling is the fastest an envelope path with these sealing and opening stages could run \
                here: no faster than that headers diagnostic, and no faster than the cores allow at its CPU \
                per record plus the stages' CPU. A ceiling below the target means no Kafka layer meets it \
                on this machine; a headers diagnostic below it means not even free sealing would.
                """)
        @Option(help: "Records per path and round.") var records = 100_000
        @Option(help: "Approximate record size in bytes.") var size = 1024
        @Option(help: "Rounds; the best of each path is reported.") var rounds = 3
        @Option(help: "Records for the (much slower) Ed25519 path.") var ed25519Records = 5_000
        @Flag(help: "Print the figures as JSON on stdout.") var json = false

        func run() async throws {
            MeshLogging.bootstrap(role: "bench", level: .warning)
            let benchmark = TransportBenchmark(
                records: records, recordBytes: size, rounds: rounds, ed25519Records: ed25519Records,
                logger: Logger(label: "bench")
            ) { line in
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
            let figures = try await benchmark.run()
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(figures), as: UTF8.self))
                return
            }
            print("""
                transport benchmark: \(figures.records) records of ~\(figures.recordBytes) B, embedded broker, best of \(rounds) rounds
                  raw librdkafka (baseline)     \(Int(figures.rawPerSecond)) records/s  \(String(format: "%.1f", figures.rawCPUMicrosPerRecord)) CPU µs/record
                  sealed envelopes, HMAC-SHA256 \(Int(figures.hmacPerSecond)) records/s  ratio \(String(format: "%.2f", figures.hmacRatio))  \(String(format: "%.1f", figures.hmacCPUMicrosPerRecord)) CPU µs/record, \(String(format: "%.1f", figures.hmacCPUMicrosOverRaw)) over raw (target ≥ \(figures.hmacTargetRatio): \(figures.meetsHMACTarget ? "met" : "NOT met"))
                    of which the producing thread (build, seal, enqueue) \(String(format: "%.1f", figures.hmacProducerThreadCPUMicrosPerRecord)) CPU µs/record
                  diagnostic: raw librdkafka, \(figures.envelopeValueBytes) B values + the envelopes' \(figures.envelopeHeaderBytes) B of CloudEvents headers
                                                \(Int(figures.rawWithHeadersPerSecond)) records/s  ratio to baseline \(String(format: "%.2f", figures.rawWithHeadersRatio)); HMAC envelopes to it \(String(format: "%.2f", figures.hmacRatioToRawWithHeaders))
                  diagnostic: envelopes sealed beforehand, through the mesh's KafkaProducer/KafkaConsumer alone
                                                \(Int(figures.kafkaLayerPerSecond)) records/s  ratio to baseline \(String(format: "%.2f", figures.kafkaLayerRatio))  \(String(format: "%.1f", figures.kafkaLayerCPUMicrosPerRecord)) CPU µs/record
                  ceiling for an envelope path here: at most the headers diagnostic's rate, and \(figures.hmacCeiling.cores) cores over a CPU floor of
                    \(String(format: "%.1f", figures.hmacCeiling.minimumCPUMicrosPerRecord)) µs/record (that diagnostic's \(String(format: "%.1f", figures.hmacCeiling.bareCPUMicrosPerRecord)) + the build, seal, headers and open stages below)
                                                \(Int(figures.hmacCeiling.perSecond)) records/s  ratio \(String(format: "%.2f", figures.hmacCeiling.ratio))  (target \(figures.targetReachableHere ? "reachable" : "NOT reachable") here)
                  sealed envelopes, Ed25519     \(Int(figures.ed25519PerSecond)) records/s  ratio \(String(format: "%.3f", figures.ed25519Ratio))  \(String(format: "%.1f", figures.ed25519CPUMicrosPerRecord)) CPU µs/record, \(String(format: "%.1f", figures.ed25519CPUMicrosOverRaw)) over raw (\(figures.ed25519Records) records)
                  HMAC envelope stages, one thread, no Kafka (CPU µs/record):
                """)
            for (stage, micros) in figures.hmacStageMicros.sorted(by: { $0.key < $1.key }) {
                print("    \(stage.padding(toLength: 34, withPad: " ", startingAt: 0)) \(String(format: "%.2f", micros))")
            }
        }
    }
}
