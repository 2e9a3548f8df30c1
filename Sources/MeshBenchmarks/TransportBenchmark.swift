import Foundation
import Logging
import MeshKafka
import MeshSigning
import MeshTransport
import MeshWire

/// `meshctl bench transport`: sealed ~1 KiB envelopes (encode, sign, produce, consume,
/// verify, decode) through the embedded broker, against raw byte records through
/// librdkafka alone in the same run. Figures are reported as ratios to that baseline,
/// because absolute rates on a shared machine mean little.
public struct TransportBenchmark {
    public struct Figures: Codable, Sendable {
        public var records: Int
        public var recordBytes: Int
        public var rawPerSecond: Double
        /// Process CPU microseconds per record (including the in-process broker).
        public var rawCPUMicrosPerRecord: Double
        public var hmacPerSecond: Double
        public var hmacCPUMicrosPerRecord: Double
        /// What the HMAC envelope path costs per record beyond raw librdkafka: process CPU µs
        /// per record of the one minus the other (each the best of its rounds).
        public var hmacCPUMicrosOverRaw: Double
        /// CPU µs per record of the one thread that builds, seals and enqueues (the rest of
        /// `hmacCPUMicrosPerRecord` is the consumer side and librdkafka's threads).
        public var hmacProducerThreadCPUMicrosPerRecord: Double
        public var hmacRatio: Double
        public var ed25519Records: Int
        public var ed25519PerSecond: Double
        public var ed25519Ratio: Double
        /// Process CPU µs per record of the Ed25519 envelope path, and beyond raw librdkafka.
        public var ed25519CPUMicrosPerRecord: Double
        public var ed25519CPUMicrosOverRaw: Double
        public var hmacTargetRatio: Double
        public var meetsHMACTarget: Bool
        /// Single-thread CPU µs per record of each envelope stage, without Kafka (HMAC key).
        public var hmacStageMicros: [String: Double]
        /// Diagnostic, not the target's baseline: raw records of the sealed envelopes' size
        /// carrying the same CloudEvents headers, through librdkafka alone. Separates what
        /// the headers cost from what sealing and opening cost.
        public var rawWithHeadersPerSecond: Double
        public var rawWithHeadersRatio: Double
        public var hmacRatioToRawWithHeaders: Double
        /// Diagnostic, not the target's baseline: envelopes sealed beforehand through the
        /// mesh's `KafkaProducer` and `KafkaConsumer` alone (keys, CloudEvents headers,
        /// delivery callbacks, records copied out of librdkafka), without sealing or opening.
        public var kafkaLayerPerSecond: Double
        public var kafkaLayerRatio: Double
        public var kafkaLayerCPUMicrosPerRecord: Double
        /// What one bench envelope puts on the wire: sealed value and header bytes.
        public var envelopeValueBytes: Int
        public var envelopeHeaderBytes: Int
        /// The best rate and ratio an envelope path with these sealing and opening stages could
        /// reach on this machine in this run: below the target, no Kafka layer meets it here.
        public var hmacCeiling: EnvelopeCeiling
        public var targetReachableHere: Bool
    }

    /// Topic partitions: spreading records keeps each partition well inside the ~5 MB the
    /// embedded broker retains, with `window` records in flight (~1 MB per partition).
    static let partitions = 8
    /// Records produced ahead of the consumer at most.
    static let window = 8_000

    public var records: Int
    public var recordBytes: Int
    public var rounds: Int
    public var ed25519Records: Int
    let logger: Logger
    let progress: (String) -> Void

    public init(records: Int, recordBytes: Int, rounds: Int, ed25519Records: Int, logger: Logger, progress: @escaping (String) -> Void) {
        self.records = records
        self.recordBytes = recordBytes
        self.rounds = rounds
        self.ed25519Records = ed25519Records
        self.logger = logger
        self.progress = progress
    }

    public func run() async throws -> Figures {
        let cluster = try EmbeddedKafkaCluster(brokers: 1, logger: logger)
        let configuration = KafkaConfiguration(
            bootstrapServers: cluster.bootstrapServers, properties: EmbeddedKafkaCluster.recommendedClientProperties)
        let keys = NSTemporaryDirectory() + "agentmesh-bench-keys-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: keys) }
        var raw: [Double] = []
        var rawWithHeaders: [Double] = []
        var rawWithHeadersCPU: [Double] = []
        var kafkaLayer: [Double] = []
        var kafkaLayerCPU: [Double] = []
        var hmac: [Double] = []
        var rawCPU: [Double] = []
        var hmacCPU: [Double] = []
        var hmacProducerCPU: [Double] = []
        let wire = try Self.wireShape(keys: keys + "-shape", recordBytes: recordBytes)
        // Alternate the paths so drift in machine load hits both alike; keep the best.
        for round in 1...rounds {
            let rawTopic = "bench.raw.\(round)"
            try cluster.createTopic(rawTopic, partitions: Self.partitions)
            let rawResult = try RawThroughputProbe.run(
                configuration: configuration, topic: rawTopic, partitions: Self.partitions, count: records, size: recordBytes,
                window: InFlightWindow(size: Self.window), logger: logger)
            raw.append(rawResult.recordsPerSecond)
            rawCPU.append(rawResult.cpuSeconds * 1e6 / Double(records))
            progress("round \(round)/\(rounds): raw librdkafka \(Int(rawResult.recordsPerSecond)) records/s")
            let headersTopic = "bench.raw-headers.\(round)"
            try cluster.createTopic(headersTopic, partitions: Self.partitions)
            let withHeaders = try RawThroughputProbe.run(
                configuration: configuration, topic: headersTopic, partitions: Self.partitions, count: records,
                size: wire.valueBytes, window: InFlightWindow(size: Self.window), headers: wire.headers, logger: logger)
            rawWithHeaders.append(withHeaders.recordsPerSecond)
            rawWithHeadersCPU.append(withHeaders.cpuSeconds * 1e6 / Double(records))
            progress("round \(round)/\(rounds): raw librdkafka, envelope-sized with CloudEvents headers "
                + "\(Int(withHeaders.recordsPerSecond)) records/s (diagnostic)")
            let layer = try await kafkaLayerRate(
                cluster: cluster, configuration: configuration, keys: keys + "-layer-\(round)", topic: "bench.layer.\(round)",
                count: records)
            kafkaLayer.append(layer.recordsPerSecond)
            kafkaLayerCPU.append(layer.cpuSeconds * 1e6 / Double(records))
            progress("round \(round)/\(rounds): pre-sealed envelopes through the mesh's Kafka layer "
                + "\(Int(layer.recordsPerSecond)) records/s (diagnostic)")
            let sealed = try await envelopeRate(
                cluster: cluster, configuration: configuration, algorithm: .hmacSHA256, keys: keys + "-hmac-\(round)",
                topic: "bench.hmac.\(round)", count: records)
            hmac.append(sealed.recordsPerSecond)
            hmacCPU.append(sealed.cpuSeconds * 1e6 / Double(records))
            hmacProducerCPU.append(sealed.producerCPUSeconds * 1e6 / Double(records))
            progress("round \(round)/\(rounds): sealed envelopes, HMAC-SHA256 \(Int(sealed.recordsPerSecond)) records/s")
        }
        let ed25519Path = try await envelopeRate(
            cluster: cluster, configuration: configuration, algorithm: .ed25519, keys: keys + "-ed25519",
            topic: "bench.ed25519", count: ed25519Records)
        let ed25519 = ed25519Path.recordsPerSecond
        let ed25519CPU = ed25519Path.cpuSeconds * 1e6 / Double(ed25519Records)
        progress("sealed envelopes, Ed25519: \(Int(ed25519)) records/s (\(ed25519Records) records)")
        let stages = try Self.stageMicros(
            keys: keys + "-stages", recordBytes: recordBytes, count: min(records, 20_000))
        let bestRaw = raw.max() ?? 0
        let bestHMAC = hmac.max() ?? 0
        let bestRawWithHeaders = rawWithHeaders.max() ?? 0
        let bestKafkaLayer = kafkaLayer.max() ?? 0
        let target = 0.85
        let ceiling = EnvelopeCeiling(
            cores: ProcessInfo.processInfo.activeProcessorCount, bareRecordsPerSecond: bestRawWithHeaders,
            bareCPUMicrosPerRecord: rawWithHeadersCPU.min() ?? 0,
            stageMicros: Stage.addedByEnvelopes.map { stages[$0] ?? 0 }, rawPerSecond: bestRaw)
        let bestRawCPU = rawCPU.min() ?? 0
        return Figures(
            records: records, recordBytes: recordBytes, rawPerSecond: bestRaw, rawCPUMicrosPerRecord: bestRawCPU,
            hmacPerSecond: bestHMAC, hmacCPUMicrosPerRecord: hmacCPU.min() ?? 0,
            hmacCPUMicrosOverRaw: (hmacCPU.min() ?? 0) - bestRawCPU,
            hmacProducerThreadCPUMicrosPerRecord: hmacProducerCPU.min() ?? 0,
            hmacRatio: bestHMAC / bestRaw, ed25519Records: ed25519Records, ed25519PerSecond: ed25519,
            ed25519Ratio: ed25519 / bestRaw, ed25519CPUMicrosPerRecord: ed25519CPU,
            ed25519CPUMicrosOverRaw: ed25519CPU - bestRawCPU, hmacTargetRatio: target, meetsHMACTarget: bestHMAC / bestRaw >= target,
            hmacStageMicros: stages, rawWithHeadersPerSecond: bestRawWithHeaders,
            rawWithHeadersRatio: bestRawWithHeaders / bestRaw, hmacRatioToRawWithHeaders: bestHMAC / bestRawWithHeaders,
            kafkaLayerPerSecond: bestKafkaLayer, kafkaLayerRatio: bestKafkaLayer / bestRaw,
            kafkaLayerCPUMicrosPerRecord: kafkaLayerCPU.min() ?? 0,
            envelopeValueBytes: wire.valueBytes, envelopeHeaderBytes: wire.headers.reduce(0) { $0 + $1.key.utf8.count + $1.value.count },
            hmacCeiling: ceiling, targetReachableHere: ceiling.ratio >= target)
    }

    /// What one path measured: its rate from the first record produced to the last one
    /// received, the process CPU time over that same span (as the raw probe measures it:
    /// set-up excluded) and the producing thread's own CPU time.
    struct PathResult {
        var recordsPerSecond: Double
        var cpuSeconds: Double
        var producerCPUSeconds: Double
    }

    /// Produces `count` sealed envelopes on one thread while a verifying subscriber reads them.
    private func envelopeRate(
        cluster: EmbeddedKafkaCluster, configuration: KafkaConfiguration, algorithm: SigningAlgorithm, keys: String,
        topic: String, count: Int
    ) async throws -> PathResult {
        try cluster.createTopic(topic, partitions: Self.partitions)
        try KeyRingStore.initialize(at: keys, roles: [Self.producerRole], people: [], algorithm: algorithm)
        defer { try? FileManager.default.removeItem(atPath: keys) }
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        defer { producer.close() }
        let publisher = MeshPublisher(producer: producer, sealer: EnvelopeSealer(signer: try KeyRingStore.loadSigner(principal: Self.producerRole, from: keys)))
        let consumer = try partitionReader(configuration: configuration, topic: topic)
        defer { consumer.close() }
        let subscriber = MeshSubscriber(
            consumer: consumer, opener: EnvelopeOpener(trust: try KeyRingStore.loadTrustStore(from: keys)),
            deadLetters: nil, logger: logger)
        let content = Self.artifactContent(recordBytes: recordBytes)
        return try await measure(count: count, producer: producer) { index, onDelivery in
            try publisher.enqueue(Self.envelope(index, content: content), to: topic, onDelivery: onDelivery)
        } receive: {
            await subscriber.next() != nil
        }
    }

    /// Diagnostic: the same sealed envelopes, sealed beforehand, through the mesh's own Kafka
    /// layer alone (`KafkaProducer` with key, CloudEvents headers and a delivery callback per
    /// record; `KafkaConsumer` copying value, key and headers out of librdkafka), with no
    /// sealing and no opening: separates what that layer costs from what the envelopes cost.
    private func kafkaLayerRate(
        cluster: EmbeddedKafkaCluster, configuration: KafkaConfiguration, keys: String, topic: String, count: Int
    ) async throws -> PathResult {
        try cluster.createTopic(topic, partitions: Self.partitions)
        try KeyRingStore.initialize(at: keys, roles: [Self.producerRole], people: [], algorithm: .hmacSHA256)
        defer { try? FileManager.default.removeItem(atPath: keys) }
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        defer { producer.close() }
        let publisher = MeshPublisher(producer: producer, sealer: EnvelopeSealer(signer: try KeyRingStore.loadSigner(principal: Self.producerRole, from: keys)))
        let content = Self.artifactContent(recordBytes: recordBytes)
        // As many distinct records as correlation ids the envelope path uses.
        let records = try (0..<1024).map { try publisher.record(Self.envelope($0, content: content), topic: topic) }
        let consumer = try partitionReader(configuration: configuration, topic: topic)
        defer { consumer.close() }
        var messages = consumer.messages.makeAsyncIterator()
        return try await measure(count: count, producer: producer) { index, onDelivery in
            try producer.enqueue(records[index % records.count], onDelivery: onDelivery)
        } receive: {
            await messages.next() != nil
        }
    }

    /// A consumer reading every partition of `topic` from the beginning.
    private func partitionReader(configuration: KafkaConfiguration, topic: String) throws -> KafkaConsumer {
        try KafkaConsumer(
            configuration: configuration,
            subscription: .partitions((0..<Self.partitions).map { TopicPartition(topic: topic, partition: Int32($0)) }),
            logger: logger)
    }

    /// Calls `produce` for records 0..<count on one thread, at most `window` ahead of the
    /// reader, while `receive` reads them here; fails if any delivery failed.
    private func measure(
        count: Int, producer: KafkaProducer,
        produce: @escaping @Sendable (Int, @escaping KafkaProducer.DeliveryCallback) throws -> Void,
        receive: () async -> Bool
    ) async throws -> PathResult {
        let start = ContinuousClock.now
        let cpuStart = ProcessCPU.seconds()
        let failures = FailureCount()
        let window = InFlightWindow(size: Self.window)
        // One delivery callback for every record, as a role shares one per publisher.
        let onDelivery: KafkaProducer.DeliveryCallback = { if case .failure = $0 { failures.increment() } }
        let producerCPU = ProducerCPU()
        let producing = Thread {
            let threadStart = ThreadCPU.seconds()
            defer { producerCPU.finish(ThreadCPU.seconds() - threadStart) }
            for index in 0..<count {
                window.willProduce()
                do {
                    try produce(index, onDelivery)
                } catch {
                    failures.increment()
                }
            }
        }
        producing.start()
        var received = 0
        var unreported = 0
        while received < count, await receive() {
            received += 1
            unreported += 1
            // Release window slots in groups, as the raw probe does per fetched batch.
            if unreported == 64 {
                window.didConsume(unreported)
                unreported = 0
            }
        }
        window.didConsume(unreported)
        let seconds = (ContinuousClock.now - start).seconds
        let cpuSeconds = ProcessCPU.seconds() - cpuStart
        try producer.flush()
        guard failures.value == 0 else { throw KafkaError.benchmark("\(failures.value) records failed to produce") }
        return PathResult(recordsPerSecond: Double(received) / seconds, cpuSeconds: cpuSeconds, producerCPUSeconds: producerCPU.wait())
    }
}

extension TransportBenchmark {
    /// Names of the envelope stages timed by ``stageMicros(keys:recordBytes:count:)``.
    enum Stage {
        static let build = "1 build envelope"
        static let seal = "4 seal (encode+sign+frame)"
        static let headers = "5 headers"
        static let open = "9 open (framing+verify+decode)"
        /// What the envelope path does per record on top of bare librdkafka with headers,
        /// each counted once (the other stages are parts of these).
        static let addedByEnvelopes = [build, seal, headers, open]
    }

    /// The role the bench records come from: a stand-in for an agent publishing results, with
    /// a key ring of its own (no catalog is involved).
    static let producerRole = "bench"

    /// Artifact bytes that make a bench envelope about `recordBytes` long once sealed.
    static func artifactContent(recordBytes: Int) -> [UInt8] {
        [UInt8](repeating: 0x61, count: max(0, recordBytes - 300))  // envelope framing makes up the rest
    }

    /// The envelope a handler would emit for bench record `index`.
    static func envelope(_ index: Int, content: [UInt8]) -> Envelope {
        Envelope(
            source: SourcePath.make(role: producerRole, instance: "bench"), correlationID: "bench-\(index % 1024)", subject: "task-\(index)",
            payload: .taskResult(TaskResult(
                taskID: "task-\(index)", planID: "plan-bench", state: .completed, summary: "benchmark record",
                artifacts: [Artifact(name: "out.txt", mediaType: "text/plain", content: content)], agentID: "bench")))
    }

    /// The sealed size and CloudEvents headers of a bench envelope.
    static func wireShape(keys: String, recordBytes: Int) throws -> (valueBytes: Int, headers: [KafkaHeader]) {
        try KeyRingStore.initialize(at: keys, roles: [Self.producerRole], people: [], algorithm: .hmacSHA256)
        defer { try? FileManager.default.removeItem(atPath: keys) }
        let sealer = EnvelopeSealer(signer: try KeyRingStore.loadSigner(principal: Self.producerRole, from: keys))
        let envelope = envelope(0, content: artifactContent(recordBytes: recordBytes))
        return (try sealer.seal(envelope).count, CloudEventHeaders.headers(for: envelope))
    }

    /// CPU µs per record of each stage of sealing and opening, run on one thread without
    /// Kafka (best of three passes): where the envelope path's cost goes, stage by stage.
    static func stageMicros(keys: String, recordBytes: Int, count: Int) throws -> [String: Double] {
        try KeyRingStore.initialize(at: keys, roles: [Self.producerRole], people: [], algorithm: .hmacSHA256)
        defer { try? FileManager.default.removeItem(atPath: keys) }
        let signer = try KeyRingStore.loadSigner(principal: Self.producerRole, from: keys)
        let trust = try KeyRingStore.loadTrustStore(from: keys)
        let sealer = EnvelopeSealer(signer: signer)
        let opener = EnvelopeOpener(trust: trust)
        let codec = EnvelopeCodec()
        let content = artifactContent(recordBytes: recordBytes)
        let envelopes = (0..<count).map { envelope($0, content: content) }
        let encoded = try envelopes.map { try codec.encode($0) }
        let sealed = try envelopes.map { try sealer.seal($0) }
        let framed = try sealed.map { try codec.decodeSealed($0) }
        var figures: [String: Double] = [:]
        // The best of three passes: a stage's own cost, not the moments the thread was
        // descheduled or its caches were flushed by another process.
        func measure(_ stage: String, _ body: (Int) throws -> Void) rethrows {
            figures[stage] = try (0..<3).map { _ in
                let start = ThreadCPU.seconds()
                for index in 0..<count { try body(index) }
                return (ThreadCPU.seconds() - start) * 1e6 / Double(count)
            }.min()
        }
        var sink = 0
        measure(Stage.build) { sink &+= envelope($0, content: content).id.utf8.count }
        try measure("2 encode") { sink &+= try codec.encode(envelopes[$0]).count }
        measure("3 sign") { sink &+= signer.sign(encoded[$0]).bytes.count }
        try measure(Stage.seal) { sink &+= try sealer.seal(envelopes[$0]).count }
        measure(Stage.headers) { sink &+= CloudEventHeaders.headers(for: envelopes[$0]).count }
        try measure("6 open framing") { sink &+= try codec.decodeSealed(sealed[$0]).envelope.count }
        try measure("7 verify") {
            let signature = framed[$0].signatures[0]
            sink &+= try trust.verify(framed[$0].envelope, signatures: [SignatureValue(
                keyId: signature.keyID, algorithm: .hmacSHA256, bytes: signature.signature)]).keyId.count
        }
        try measure("8 decode") { sink &+= try codec.decode(framed[$0].envelope).id.utf8.count }
        measure(Stage.open) {
            if case .success(let opened) = opener.open(sealed[$0]) { sink &+= opened.envelopeBytes.count }
        }
        precondition(sink != 0)
        return figures
    }
}

/// CPU time the calling thread has used so far.
enum ThreadCPU {
    static func seconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// The producing thread's CPU seconds, handed to the task that waits for them.
final class ProducerCPU: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var seconds = 0.0

    func finish(_ seconds: Double) {
        self.seconds = seconds
        done.signal()
    }

    func wait() -> Double {
        done.wait()
        return seconds
    }
}

/// Failed deliveries counted from the producer's delivery callbacks (any thread).
public final class FailureCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    public init() {}
    public func increment() { lock.withLock { count += 1 } }
    public var value: Int { lock.withLock { count } }
}

extension KafkaError {
    static func benchmark(_ message: String) -> KafkaError {
        KafkaError(code: -1, name: "BENCHMARK", message: message)
    }
}
