import Foundation
import Logging
import MeshAudit
import MeshAuditIngest
import MeshCLI
import MeshCatalog
import MeshKafka
import MeshOps
import MeshSigning
import MeshTransport

/// What the pipeline bench checks in the audit store the real `mesh-audit-sink` wrote: every
/// envelope the audited topics hold is stored, each once, nothing else is, and
/// `AuditVerifier` (as `meshctl audit verify --anchor topic`) finds the log intact.
struct PipelineAuditCheck: Codable, Equatable {
    /// The audited topics' records (every catalog topic but the checkpoint topic, whose
    /// records are the store's own anchors) against the stored ones, by envelope id.
    var coverage: AuditCoverage
    /// Records the sink stored flagged (failed verification or not an envelope).
    var rejected: Int
    /// Stored records per bench objective (warm-up, burst and paced objectives), and the
    /// records not tied to one (agent cards, say).
    var envelopesPerObjective: Double
    var recordsOutsideObjectives: Int
    /// Records the sink stored from past the topics' ends when they were read (its own agent
    /// card, say): left out of the comparison.
    var recordsAfterSnapshot: Int
    /// Records the sink stored from before the first offset the topics still held when they
    /// were read: the broker had already dropped them (the embedded broker keeps about 5 MB per
    /// partition), so there is nothing to compare them with; left out of the comparison.
    var recordsAgedOut: Int
    /// The verifier's verdict, with every stored envelope re-checked and the checkpoint topic
    /// as anchors.
    var verified: Bool
    var verification: String
    var checkpoints: Int

    var passed: Bool { coverage.isComplete && rejected == 0 && verified }

    /// One line for the report.
    var summary: String {
        String(format: "%d records on the topics, %d stored: %d missing, %d duplicate, %d unexpected, %d flagged; "
               + "%.2f records per objective (+%d outside objectives, %d after the topics were read, "
               + "%d no longer on the broker); verify %@ (%d checkpoints)",
               coverage.published, coverage.stored, coverage.missing, coverage.duplicates, coverage.unexpected, rejected,
               envelopesPerObjective, recordsOutsideObjectives, recordsAfterSnapshot, recordsAgedOut,
               verified ? "OK" : "FAILED: \(verification)", checkpoints)
    }

    /// The audited topics: what the sink subscribes to, less the checkpoint topic.
    static func auditedTopics(_ catalog: Catalog) -> [String] {
        let checkpoints = Set(catalog.topics(declaring: AuditCheckpointTopic.type).map(\.name))
        return catalog.topics.map(\.name).filter { !checkpoints.contains($0) }
    }

    /// Compares `read` (the audited topics as the sink caught up with them, before it was
    /// stopped: what it publishes itself on the way out it cannot store) with the store at
    /// `location`, and verifies the store. Run it once the sink has stopped (it checkpoints and
    /// anchors on the way out) and while the broker still runs. `objectivePrefixes`: the
    /// correlation-id prefixes of the bench's objectives (`burst`, …), `objectives` their number.
    static func run(
        read: AuditSinkWatch.TopicsRead, client: OpsMeshClient, catalog: Catalog, catalogOptions: CatalogOptions,
        location: AuditStoreLocation, keysDirectory: String, objectivePrefixes: Set<String>, objectives: Int, logger: Logger
    ) async throws -> PipelineAuditCheck {
        var firstOffsets: [TopicPartition: Int64] = [:]
        var lastOffsets: [TopicPartition: Int64] = [:]
        for record in read.records {
            let partition = TopicPartition(topic: record.topic, partition: record.partition)
            firstOffsets[partition] = min(firstOffsets[partition] ?? .max, record.offset)
            lastOffsets[partition] = max(lastOffsets[partition] ?? -1, record.offset)
        }

        let store = try location.openForReading()
        var stored: [String] = []
        var rejected = 0
        var objectiveRecords = 0
        var later = 0
        var agedOut = 0
        try store.scan(afterSequence: 0, pageSize: 5_000) { page in
            for record in page {
                let kafka = record.input.kafka
                let partition = TopicPartition(topic: kafka.topic, partition: kafka.partition)
                if kafka.offset > lastOffsets[partition] ?? -1 {
                    later += 1
                } else if kafka.offset < firstOffsets[partition] ?? 0 {
                    agedOut += 1
                } else {
                    stored.append(AuditCoverage.key(record.input))
                }
                if !record.input.verification.isVerified { rejected += 1 }
                if objectivePrefixes.contains(CompletionTracker.prefix(of: record.input.correlationID)) { objectiveRecords += 1 }
            }
            return true
        }

        var anchors: [AuditCheckpoint] = []
        if let topic = catalog.topics(declaring: AuditCheckpointTopic.type).first?.name {
            anchors = try await CheckpointTopicReader.read(topic, configuration: client.configuration, logger: logger)
        }
        let report = try AuditVerifier.verify(
            store, trust: try KeyRingStore.loadCheckpointTrust(trustFile: KeyRingStore.trustFile(in: keysDirectory)),
            anchors: anchors,
            envelopes: StoredEnvelopeRecheck(trust: try KeyRingStore.loadTrustStore(from: keysDirectory),
                                             authorize: AuditCatalogAuthorization.check(catalogOptions)))
        return PipelineAuditCheck(
            coverage: AuditCoverage(published: read.keys, stored: stored), rejected: rejected,
            envelopesPerObjective: Double(objectiveRecords) / Double(max(1, objectives)),
            recordsOutsideObjectives: stored.count + later + agedOut - objectiveRecords, recordsAfterSnapshot: later,
            recordsAgedOut: agedOut,
            verified: report.isValid, verification: report.summary, checkpoints: report.checkpointCount)
    }
}

/// The bench's audit sink: its instances, its store, and whether it has caught up with the
/// topics.
struct AuditSinkWatch {
    let catalog: Catalog
    /// The sink's child names (`audit-sink-1`).
    let instances: Set<String>
    let location: AuditStoreLocation
    let host: OpsMeshHost

    init(layout: OpsMeshLayout, environment: MeshEnvironment, host: OpsMeshHost) throws {
        catalog = try layout.catalog.load()
        let sinkPrefixes = catalog.roles.filter { $0.kind == .audit }.map { $0.name + "-" }
        instances = Set(host.all.filter { name in sinkPrefixes.contains { name.hasPrefix($0) } })
        location = try AuditStoreLocation.resolve(layout.store, home: environment.home)
        self.host = host
    }

    /// The audited topics' records as read, and each one's identity (`AuditCoverage.key`:
    /// opening every envelope, so it is done once).
    struct TopicsRead {
        var records: [ConsumedMessage]
        var keys: [String]
    }

    /// Reads the audited topics to their end, then polls the store until it holds every record
    /// read (by the identity the sink deduplicates on, scanning only what was stored since the
    /// last poll); returns what it read. A count would not do: the store also holds records
    /// the broker has since dropped (the embedded broker keeps about 5 MB per partition), so it
    /// can outnumber the read long before the sink has caught up. Fails after `timeout`, or at
    /// once when the sink has stopped.
    @discardableResult
    func waitUntilCaughtUp(client: OpsMeshClient, timeout: Duration) async throws -> TopicsRead {
        let records = try await TopicReader.readToEnd(
            try client.partitions(of: PipelineAuditCheck.auditedTopics(catalog)), configuration: client.configuration,
            logger: client.logger)
        let builder = AuditInputBuilder(opener: client.opener)
        let read = TopicsRead(records: records, keys: records.map { AuditCoverage.key($0, builder: builder) })
        var pending = Set(read.keys)
        let deadline = ContinuousClock.now + timeout
        var store: AuditStore?
        var scannedThrough: Int64 = 0
        while true {
            if store == nil { store = try? location.openForReading() }
            try? store?.scan(afterSequence: scannedThrough, pageSize: 5_000) { page in
                for record in page {
                    pending.remove(AuditCoverage.key(record.input))
                    scannedThrough = record.sequence
                }
                return true
            }
            if pending.isEmpty { return read }
            guard ContinuousClock.now < deadline else {
                throw OpsFailure("the audit sink had not stored \(pending.count) of the \(records.count) records on the topics within \(timeout)")
            }
            guard !Set(host.running).isDisjoint(with: instances) else {
                throw OpsFailure("the audit sink stopped with \(pending.count) of the \(records.count) records on the topics not stored")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}
