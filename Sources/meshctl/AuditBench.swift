import ArgumentParser
import Foundation
import MeshAudit
import MeshAuditIngest
import MeshCLI
import MeshCatalog
import MeshRuntime
import MeshSigning

/// `meshctl bench audit`: the audit sink's ingest throughput (decode + verify + append with
/// hash chaining and signed checkpoints) and the time to trace one objective of 1,000 events.
struct AuditBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Audit store ingest (hash chain + signed checkpoints) and trace time, on SQLite and PostgreSQL.",
        discussion: """
            Seals ~1 KiB envelopes (UUIDv7 ids) with a role key of each of --key-algorithms \
            (default both: Ed25519, what `meshctl keys init` makes, and the HMAC-SHA256 opt-in, \
            so one run shows what attributable signatures cost) and hands them over as consumed Kafka records to the sink's own ingest code, one \
            batch of --batch-size at a time (the sink's default): every record decoded and its \
            signature verified, then one transaction per batch with duplicate checks, record \
            hashes chained and an Ed25519-signed checkpoint every --checkpoint-records records; \
            as in the sink, the next batch is decoded and verified while one is stored. \
            Kafka itself is not in the loop (see `meshctl bench transport`). The stores are a \
            throwaway SQLite file (synchronous=FULL, the sink's setting, unless \
            --sqlite-durability normal) and, when --postgres or $AGENTMESH_TEST_POSTGRES_URL \
            gives a server, a throwaway PostgreSQL schema that is dropped afterwards. Then one \
            objective of --trace-records events is traced: the first trace (rows not read \
            since they were written, as when an auditor looks at an objective that just \
            finished) is compared with the target; the median of \(AuditIngestBenchmark.repeatedTraces) repeated traces shows the \
            share of it that does not depend on the database's cache.

            --sink-flags measures the sink's opt-in checks in the same run, each a separate \
            pass over fresh stores: none, record-later-copies (look up every envelope id \
            already stored to flag later copies), flag-unauthorized (the catalog's \
            authorization check on every record), both.

            Targets: SQLite >= 50,000 envelopes/s, PostgreSQL >= 20,000 envelopes/s, trace < 50 ms. \
            Build in release mode for meaningful figures: \
            swift build -c release && .build/release/meshctl bench audit --json
            """)

    @Option(help: "Envelopes appended per store.") var records = 200_000
    @Option(help: "Envelopes per transaction, like the sink's --batch-size.") var batchSize = AuditIngestor.defaultBatchSize
    @Option(help: "Events in the traced objective.") var traceRecords = 1_000
    @Option(help: "Checkpoint every this many records.") var checkpointRecords = 10_000
    @Option(help: "SQLite durability: full (fsync every commit, the sink's setting) or normal.")
    var sqliteDurability = "full"
    @Option(help: ArgumentHelp("PostgreSQL server to measure too. Default: $AGENTMESH_TEST_POSTGRES_URL.", valueName: "url"))
    var postgres: String?
    @Flag(help: "Skip PostgreSQL even if a URL is known.") var noPostgres = false
    @Option(name: .customLong("key-algorithms"), parsing: .singleValue, help: ArgumentHelp(
        "Role key algorithms the envelopes are signed with, each measured in this run (comma-separated).",
        valueName: "algorithm,…"))
    var keyAlgorithms: [String] = ["ed25519,hmac-sha256"]
    @Option(name: .customLong("sink-flags"), parsing: .singleValue, help: ArgumentHelp(
        "Sink options measured, each a pass of its own (comma-separated): none, record-later-copies, flag-unauthorized, both.",
        valueName: "variant,…"))
    var sinkFlags: [String] = ["none"]
    @OptionGroup var catalog: CatalogOptions
    @Flag(help: "Print the figures as JSON on stdout.") var json = false

    /// One combination of the sink's opt-in checks.
    struct SinkFlags: Equatable {
        var recordsLaterCopies: Bool
        var flagsUnauthorized: Bool

        static let variants: [String: SinkFlags] = [
            "none": SinkFlags(recordsLaterCopies: false, flagsUnauthorized: false),
            "record-later-copies": SinkFlags(recordsLaterCopies: true, flagsUnauthorized: false),
            "flag-unauthorized": SinkFlags(recordsLaterCopies: false, flagsUnauthorized: true),
            "both": SinkFlags(recordsLaterCopies: true, flagsUnauthorized: true),
        ]

        var name: String { Self.variants.first { $0.value == self }!.key }
    }

    var selectedSinkFlags: [SinkFlags] {
        sinkFlags.flatMap { $0.split(separator: ",") }.compactMap { SinkFlags.variants[$0.trimmingCharacters(in: .whitespaces)] }
    }

    var selectedAlgorithms: [SigningAlgorithm] {
        keyAlgorithms.flatMap { $0.split(separator: ",") }.compactMap { SigningAlgorithm(rawValue: $0.trimmingCharacters(in: .whitespaces)) }
    }

    static let sqliteTarget = 50_000.0
    static let postgresTarget = 20_000.0
    static let traceTargetMilliseconds = 50.0

    func validate() throws {
        guard records > 0, batchSize > 0, traceRecords > 0, traceRecords <= records else {
            throw ValidationError("--records, --batch-size and --trace-records must be positive, --trace-records <= --records")
        }
        guard checkpointRecords > 0 else { throw ValidationError("--checkpoint-records must be positive") }
        let listed = keyAlgorithms.flatMap { $0.split(separator: ",") }
        guard !listed.isEmpty, listed.count == selectedAlgorithms.count else {
            throw ValidationError("--key-algorithms: use ed25519, hmac-sha256 or both, comma-separated")
        }
        let variants = sinkFlags.flatMap { $0.split(separator: ",") }
        guard !variants.isEmpty, variants.count == selectedSinkFlags.count else {
            throw ValidationError("--sink-flags: use none, record-later-copies, flag-unauthorized or both, comma-separated")
        }
        guard SQLiteAuditStore.Durability(rawValue: sqliteDurability.uppercased()) != nil else {
            throw ValidationError("--sqlite-durability must be full or normal")
        }
    }

    struct Result {
        var algorithm: SigningAlgorithm
        var flags: SinkFlags
        var store: String
        var detail: String
        var figures: AuditIngestBenchmark.Figures
        var target: Double

        var meetsIngest: Bool { figures.recordsPerSecond >= target }
        var meetsTrace: Bool { figures.traceMilliseconds < AuditBench.traceTargetMilliseconds }

        var json: [String: Any] {
            [
                "keyAlgorithm": algorithm.rawValue, "sinkFlags": flags.name, "store": store, "detail": detail, "records": figures.records, "batchSize": figures.batchSize,
                "rawBytesPerRecord": figures.rawBytesPerRecord, "ingestSeconds": figures.ingestSeconds,
                "ingestCPUSeconds": figures.ingestCPUSeconds, "writeSeconds": figures.writeSeconds,
                "writeOnlyEnvelopesPerSecond": figures.writeRecordsPerSecond.rounded(),
                "envelopesPerSecond": figures.recordsPerSecond.rounded(), "checkpointsWritten": figures.checkpointsWritten,
                "traceRecords": figures.traceRecords, "traceMilliseconds": figures.traceMilliseconds,
                "repeatedTraceMilliseconds": figures.repeatedTraceMilliseconds,
                "ingestTargetPerSecond": target, "ingestTargetMet": meetsIngest,
                "traceTargetMilliseconds": AuditBench.traceTargetMilliseconds, "traceTargetMet": meetsTrace,
            ]
        }
    }

    func run() async throws {
        let metadata = KeyMetadata(keyId: "bench-audit-sink", algorithm: .ed25519, principal: MeshRoles.auditSink, principalKind: .role)
        let signer = MessageSigner(metadata: metadata, ed25519: try Ed25519PrivateKey.generate())
        let configuration = AuditStoreConfiguration(
            signer: signer, checkpoints: CheckpointPolicy(everyRecords: checkpointRecords, everySeconds: 60))
        var results: [Result] = []
        let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("agentmesh-bench-audit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let loadedCatalog = selectedSinkFlags.contains { $0.flagsUnauthorized } ? try catalog.load() : nil
        // Results come from an agent role the catalog lets produce them, so the authorization
        // check (where measured) passes every record; without the check any name does.
        let agentRole = loadedCatalog?.agentRoles.first ?? "bench-agent"
        for algorithm in selectedAlgorithms {
            for flags in selectedSinkFlags {
                var configuration = configuration
                configuration.recordsLaterCopies = flags.recordsLaterCopies
                var authorize: AuditInputBuilder.Authorize?
                if flags.flagsUnauthorized, let loadedCatalog {
                    authorize = { inbound in Authorization.check(inbound, catalog: loadedCatalog) }
                }
                results += try measure(
                    algorithm: algorithm, agentRole: agentRole, flags: flags, authorize: authorize, configuration: configuration,
                    directory: directory)
            }
        }

        if json {
            let object: [String: Any] = [
                "benchmark": "audit", "results": results.map(\.json),
                "allTargetsMet": results.allSatisfy { $0.meetsIngest && $0.meetsTrace },
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("audit ingest benchmark: \(records) sealed envelopes of ~\(results.first?.figures.rawBytesPerRecord ?? 0) B, "
              + "decoded + verified + appended in batches of \(batchSize), hash chain on, Ed25519 checkpoint every \(checkpointRecords) records")
        for result in results {
            let f = result.figures
            print("  \(result.algorithm.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) "
                  + "\(result.flags.name.padding(toLength: 19, withPad: " ", startingAt: 0)) "
                  + "\(result.store.padding(toLength: 10, withPad: " ", startingAt: 0)) \(Int(f.recordsPerSecond)) envelopes/s "
                  + "(\(String(format: "%.2f", f.ingestSeconds)) s, \(String(format: "%.2f", f.ingestCPUSeconds)) s CPU; appends alone "
                  + "\(Int(f.writeRecordsPerSecond))/s; \(f.checkpointsWritten) checkpoints; target ≥ \(Int(result.target)): "
                  + "\(result.meetsIngest ? "met" : "NOT met"))  trace of \(f.traceRecords) events: "
                  + "\(String(format: "%.1f", f.traceMilliseconds)) ms, repeated \(String(format: "%.1f", f.repeatedTraceMilliseconds)) ms "
                  + "(target < \(Int(Self.traceTargetMilliseconds)) ms, first trace: "
                  + "\(result.meetsTrace ? "met" : "NOT met"))  [\(result.detail)]")
        }
    }

    /// Every store, with envelopes signed by `algorithm` and the sink checks of `flags`.
    private func measure(
        algorithm: SigningAlgorithm, agentRole: String, flags: SinkFlags, authorize: AuditInputBuilder.Authorize?, configuration: AuditStoreConfiguration,
        directory: URL
    ) throws -> [Result] {
        var results: [Result] = []
        progress("sealing \(records) envelopes with \(algorithm.rawValue) role keys…")
        let workload = try AuditIngestBenchmark.workload(
            records: records, traceRecords: traceRecords, agentRole: agentRole, algorithm: algorithm)
        let durability = SQLiteAuditStore.Durability(rawValue: sqliteDurability.uppercased())!
        progress("SQLite: appending \(records) envelopes in batches of \(batchSize) (synchronous=\(durability.rawValue))…")
        do {
            let store = try SQLiteAuditStore(
                path: directory.appendingPathComponent("bench-\(algorithm.rawValue)-\(flags.name).sqlite").path, configuration: configuration, durability: durability)
            let figures = try AuditIngestBenchmark.run(workload, store: store, batchSize: batchSize, authorize: authorize)
            results.append(Result(algorithm: algorithm, flags: flags, store: "sqlite", detail: "synchronous=\(durability.rawValue), WAL, temp file", figures: figures,
                                  target: Self.sqliteTarget))
        }

        let url = noPostgres ? nil : (postgres ?? ProcessInfo.processInfo.environment["AGENTMESH_TEST_POSTGRES_URL"])
        if let url, !url.isEmpty {
            let schema = "bench_" + String(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16))
            progress("PostgreSQL: appending \(records) envelopes in batches of \(batchSize) into schema \(schema)…")
            defer { try? PostgresAuditAdmin.dropSchema(url: url, schema: schema) }
            let store = try PostgresAuditStore(url: url, schema: schema, configuration: configuration)
            let figures = try AuditIngestBenchmark.run(workload, store: store, batchSize: batchSize, authorize: authorize)
            var redacted = URLComponents(string: url)
            if redacted?.password != nil { redacted?.password = "***" }
            results.append(Result(algorithm: algorithm, flags: flags, store: "postgresql", detail: "\(redacted?.string ?? "postgresql"), throwaway schema \(schema)", figures: figures,
                                  target: Self.postgresTarget))
        } else {
            progress("PostgreSQL: skipped (pass --postgres URL or set AGENTMESH_TEST_POSTGRES_URL)")
        }

        return results
    }

    private func progress(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
