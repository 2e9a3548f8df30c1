import Foundation
import MeshAudit
import MeshCatalog
import MeshKafka
import MeshSigning
import MeshTransport
import MeshWire

/// `meshctl bench audit`: the audit sink's ingest path, minus Kafka. Records are real sealed
/// envelopes (UUIDv7 ids, Ed25519 or HMAC-SHA256 role signatures, ~1 KiB), handed over as consumed Kafka records; the timed part is exactly what
/// mesh-audit-sink does per batch (`AuditIngestor`: decode + verify every record, then one
/// transaction with duplicate checks, hash chain and signed checkpoints), with the sink's
/// overlap: the next batch is decoded and verified while the current one is being stored.
/// Sealing the envelopes (the producers' work) is done before the clock starts.
public struct AuditIngestBenchmark {
    /// What one run measured.
    public struct Figures: Sendable {
        public var records: Int
        public var batchSize: Int
        public var rawBytesPerRecord: Int
        /// Wall time of all batches (prepare + write), seconds.
        public var ingestSeconds: Double
        /// The part of it spent appending (`write`: one transaction per batch), seconds; what
        /// the benchmark before the ingest path was measured timed alone.
        public var writeSeconds: Double
        /// Process CPU time over the same batches, seconds (all threads).
        public var ingestCPUSeconds: Double
        public var checkpointsWritten: Int
        public var traceRecords: Int
        /// The first trace, right after the ingest: what an auditor meets when an objective has
        /// just finished (rows not yet read back, so not in the database's cache; in
        /// PostgreSQL their hint bits are not set yet, so the first read also dirties each
        /// page). The figure compared with the target.
        public var traceMilliseconds: Double
        /// Median of `repeatedTraces` more traces of the same objective (cached pages): the
        /// part of the trace that is our own code and the query, without the first read.
        public var repeatedTraceMilliseconds: Double

        public var recordsPerSecond: Double { Double(records) / ingestSeconds }
        /// Throughput of the appends alone (decode and verify excluded).
        public var writeRecordsPerSecond: Double { Double(records) / writeSeconds }
    }

    /// The sealed records of one run, built once and ingested into each store.
    public struct Workload: Sendable {
        public let messages: [ConsumedMessage]
        public let tracedCorrelationID: String
        public let traceRecords: Int
        /// The keys that verify the workload's envelopes.
        public let trust: TrustStore
    }

    /// Seals `records` task results from `agentRole` on the results topic (6 partitions), one
    /// objective of `traceRecords` causally chained events spread through them, the rest in
    /// objectives of 50 events, signed with a role key of `algorithm`. Name an agent role of the
    /// catalog where the sink's authorization check is measured, so that no record is flagged.
    public static func workload(
        records: Int, traceRecords: Int, agentRole: String, algorithm: SigningAlgorithm = .hmacSHA256
    ) throws -> Workload {
        let metadata = KeyMetadata(keyId: "\(agentRole)-bench", algorithm: algorithm, principal: agentRole, principalKind: .role)
        let signer: MessageSigner
        switch algorithm {
        case .hmacSHA256:
            signer = try MessageSigner(metadata: metadata, hmacSecret: (0..<32).map { UInt8($0 &* 7 &+ 1) })
        case .ed25519:
            signer = MessageSigner(metadata: metadata, ed25519: try Ed25519PrivateKey.generate())
        }
        let sealer = EnvelopeSealer(signer: signer)
        let trust = try TrustStore([signer.verificationKey])
        let run = UUID().uuidString.lowercased().prefix(8)
        let traced = "obj-\(run)-traced"
        let traceEvery = max(1, records / max(1, traceRecords))
        // A summary that brings the sealed envelope to about 1 KiB.
        let summary = String(repeating: "Implemented the change, added tests, updated the documentation. ", count: 13)
        var offsets = [Int64](repeating: 0, count: 6)
        var parent: Envelope?
        var messages: [ConsumedMessage] = []
        messages.reserveCapacity(records)
        for n in 0..<records {
            let inTrace = n % traceEvery == 0 && n / traceEvery < traceRecords
            let payload = Payload.taskResult(TaskResult(
                taskID: "task-\(n)", planID: "plan-\(n / 50)", state: .completed, summary: summary, agentID: "agent-\(n % 4)"))
            let envelope: Envelope
            if inTrace, let previous = parent {
                envelope = Envelope(causedBy: previous, source: "/mesh/\(agentRole)/agent-\(n % 4)", subject: "task-\(n)", payload: payload)
            } else {
                envelope = Envelope(source: "/mesh/\(agentRole)/agent-\(n % 4)", correlationID: inTrace ? traced : "obj-\(run)-\(n / 50)",
                                    subject: "task-\(n)", payload: payload)
            }
            if inTrace { parent = envelope }
            let partition = n % offsets.count
            messages.append(ConsumedMessage(
                topic: MeshTopics.results, partition: Int32(partition), offset: offsets[partition], key: Array(envelope.correlationID.utf8),
                value: try sealer.seal(envelope), headers: ConsumedHeaders([]), timestampMs: envelope.timeUnixMicros / 1_000))
            offsets[partition] += 1
        }
        return Workload(messages: messages, tracedCorrelationID: traced, traceRecords: min(traceRecords, records), trust: trust)
    }

    /// Traces after the first one, for `Figures.repeatedTraceMilliseconds`.
    public static let repeatedTraces = 5

    /// Ingests `workload` into `store` in batches of `batchSize` the way the sink does, then
    /// traces the traced objective (once, then `repeatedTraces` more times). `authorize` is
    /// the sink's --flag-unauthorized catalog check (nil: off).
    public static func run(
        _ workload: Workload, store: AuditStore, batchSize: Int, authorize: AuditInputBuilder.Authorize? = nil
    ) throws -> Figures {
        let ingestor = AuditIngestor(builder: AuditInputBuilder(opener: EnvelopeOpener(trust: workload.trust), authorize: authorize))
        var checkpoints = 0
        var writeNanos: UInt64 = 0
        let cpuStart = ProcessCPU.seconds()
        let start = DispatchTime.now().uptimeNanoseconds
        let batches = stride(from: 0, to: workload.messages.count, by: batchSize).map {
            $0..<min(workload.messages.count, $0 + batchSize)
        }
        let preparing = DispatchQueue(label: "agentmesh.bench-audit.prepare")
        var prepared = batches.first.map { ingestor.prepare(Array(workload.messages[$0])) }
        for (number, batch) in batches.enumerated() {
            guard let current = prepared else { break }
            // Like the sink: the next batch is decoded and verified while this one is stored.
            let next = Handoff<AuditIngestor.Prepared>()
            if number + 1 < batches.count {
                let range = batches[number + 1]
                preparing.async(group: next.group) { next.value = ingestor.prepare(Array(workload.messages[range])) }
            }
            let writeStart = DispatchTime.now().uptimeNanoseconds
            let result = try ingestor.write(current, to: store)
            writeNanos += DispatchTime.now().uptimeNanoseconds - writeStart
            guard result.storedNow.allSatisfy({ $0 }), current.rejections.isEmpty else {
                throw AuditStoreError.invalidConfiguration("benchmark batch at \(batch.lowerBound) was not stored cleanly")
            }
            checkpoints += result.checkpoints.count
            next.group.wait()
            prepared = next.value
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let cpu = ProcessCPU.seconds() - cpuStart
        let (trace, traceMillis) = try timedTrace(workload, in: store)
        var repeated: [Double] = []
        for _ in 0..<repeatedTraces { repeated.append(try timedTrace(workload, in: store).milliseconds) }
        let bytes = workload.messages.reduce(0) { $0 + $1.value.count } / max(1, workload.messages.count)
        return Figures(records: workload.messages.count, batchSize: batchSize, rawBytesPerRecord: bytes, ingestSeconds: seconds,
                       writeSeconds: Double(writeNanos) / 1e9, ingestCPUSeconds: cpu, checkpointsWritten: checkpoints, traceRecords: trace.records.count,
                       traceMilliseconds: traceMillis, repeatedTraceMilliseconds: repeated.sorted()[repeated.count / 2])
    }

    private static func timedTrace(_ workload: Workload, in store: AuditStore) throws -> (trace: AuditTrace, milliseconds: Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        let trace = try store.trace(correlationID: workload.tracedCorrelationID)
        return (trace, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
}

/// A value produced on another queue; read it after `group.wait()`.
private final class Handoff<Value>: @unchecked Sendable {
    let group = DispatchGroup()
    var value: Value?
}
