import Foundation

/// Measures append throughput and trace latency of a store with its configured chaining and
/// checkpoint policy. A library helper for ad-hoc runs and tests; it writes synthetic records
/// into the store it is given, so use a throwaway store.
public enum AuditBenchmark {
    /// What one run measured.
    public struct Figures: Sendable, Hashable, CustomStringConvertible {
        /// Records appended.
        public var records: Int
        /// Records per append call.
        public var batchSize: Int
        /// Size of each synthetic raw envelope in bytes.
        public var rawBytesPerRecord: Int
        /// Wall time of all appends, seconds.
        public var appendSeconds: Double
        /// Checkpoints written during the run.
        public var checkpointsWritten: Int
        /// Records in the traced correlation id.
        public var traceRecords: Int
        /// Wall time of `trace(correlationID:)` over those records, milliseconds.
        public var traceMilliseconds: Double

        /// Append throughput.
        public var recordsPerSecond: Double { Double(records) / appendSeconds }

        public var description: String {
            String(format: "%d records (batch %d, %d B raw): %.2f s = %.0f records/s, %d checkpoint(s); trace of %d records: %.2f ms",
                   records, batchSize, rawBytesPerRecord, appendSeconds, recordsPerSecond, checkpointsWritten,
                   traceRecords, traceMilliseconds)
        }
    }

    /// Appends `records` synthetic ~1 KiB records in batches of `batchSize`, then traces one
    /// correlation id holding `traceRecords` of them (spread evenly through the run).
    public static func run(store: AuditStore, records: Int, batchSize: Int, traceRecords: Int = 1_000) throws -> Figures {
        precondition(records > 0 && batchSize > 0, "records and batchSize must be positive")
        let runID = UUID().uuidString.lowercased().prefix(8)
        let traced = "bench-\(runID)-traced"
        let traceEvery = max(1, records / max(1, traceRecords))
        var payload = [UInt8](repeating: 0, count: 1_024)
        for index in payload.indices { payload[index] = UInt8(truncatingIfNeeded: index &* 31 &+ 7) }

        func input(_ n: Int) -> AuditRecordInput {
            let inTrace = n % traceEvery == 0 && n / traceEvery < traceRecords
            var raw = payload
            withUnsafeBytes(of: UInt64(n).bigEndian) { raw.replaceSubrange(0..<8, with: $0) }
            return AuditRecordInput(
                raw: raw, envelopeID: "bench-\(runID)-\(n)", type: n % 5 == 0 ? "review.verdict" : "work.item",
                source: "role-\(n % 7)", subject: "ticket-\(n % 97)",
                correlationID: inTrace ? traced : "bench-\(runID)-c\(n / 50)",
                causationID: inTrace && n >= traceEvery ? "bench-\(runID)-\(n - traceEvery)" : "",
                eventTimeMicros: 1_760_000_000_000_000 + Int64(n), signerKeyID: "role-\(n % 7)-key",
                signerPrincipal: "role-\(n % 7)", verification: .verified,
                kafka: KafkaCoordinates(topic: "bench-\(runID)", partition: Int32(n % 6), offset: Int64(n),
                                        timestampMillis: 1_760_000_000_000 + Int64(n / 1_000)))
        }

        var checkpoints = 0
        var elapsed = 0.0
        var next = 0
        while next < records {
            let end = min(records, next + batchSize)
            let batch = (next..<end).map(input)  // built outside the timed section
            let start = DispatchTime.now().uptimeNanoseconds
            let outcome = try store.append(batch)
            elapsed += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            checkpoints += outcome.checkpoints.count
            next = end
        }
        let traceStart = DispatchTime.now().uptimeNanoseconds
        let trace = try store.trace(correlationID: traced)
        let traceMillis = Double(DispatchTime.now().uptimeNanoseconds - traceStart) / 1e6
        return Figures(records: records, batchSize: batchSize, rawBytesPerRecord: payload.count, appendSeconds: elapsed,
                       checkpointsWritten: checkpoints, traceRecords: trace.records.count, traceMilliseconds: traceMillis)
    }
}
