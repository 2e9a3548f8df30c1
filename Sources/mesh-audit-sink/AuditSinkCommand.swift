import ArgumentParser
import Foundation
import Logging
import MeshAudit
import MeshAuditIngest
import MeshCLI
import MeshCatalog
import MeshKafka
import MeshLogging
import MeshRuntime
import MeshSigning
import MeshTransport

@main
struct AuditSinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mesh-audit-sink",
        abstract: "Write every mesh record, verified or flagged, into the tamper-evident audit store.",
        discussion: """
            The sink joins consumer group --group and subscribes to the regular expression \
            ^mesh\\..* (plus any catalog topic outside that prefix), so every catalog topic is \
            read, and topics created later are picked up at the next metadata refresh without a \
            restart.

            Every record is stored exactly as received (raw bytes), with its indexed envelope \
            fields and Kafka topic/partition/offset. Records that fail signature verification or \
            are not envelopes at all are stored too, FLAGGED as rejected with the reason, and \
            logged as warnings: an audit trail must show forgery attempts, never drop them.

            Records are written in batches (--batch-size records or --batch-wait-ms, whichever \
            comes first), one database transaction per batch; only after the transaction has \
            committed are the batch's Kafka offsets released for commit. A crash at any moment \
            therefore loses nothing: Kafka redelivers what was not committed and the store \
            skips what it already holds (same envelope id, or same topic/partition/offset).

            Store failures: while the database is unavailable (down, busy, disk full) the \
            batch is retried with backoff and /readyz answers 503. A record the database \
            refuses (a constraint, a size or data limit) is tried 3 times, then stored FLAGGED \
            (reason store-refused: raw bytes and Kafka coordinates kept, indexed fields \
            withheld); if even that is refused it is published to the dead-letter topic with \
            the reason. Both are logged as errors and counted in /metrics; the sink keeps going.

            Checkpoints (signed tree heads over the hash chain: log id, size, Merkle root, head \
            hash, time) are signed with the audit sink's Ed25519 key from <home>/keys, the one \
            key trust.json pins as checkpoint signer ("checkpointKeys"; the sink refuses to start \
            with any other), and written every --checkpoint-records records or \
            --checkpoint-seconds seconds, and once more on shutdown. Each one is then anchored \
            outside the database: --anchor-topic publishes it to the catalog's checkpoint topic \
            (only the audit sink may produce there), --anchor-file appends it to a file, \
            --anchor-dir writes it as a read-only file into a directory meant for WORM storage. \
            `meshctl audit verify --anchor …` checks the store against those copies: someone \
            who can write the database cannot sign a checkpoint, so rewritten, deleted or \
            truncated history, dropped checkpoints and a substituted database all show.

            On start, when anchors are configured, the sink reads them and checks that the \
            store's tree extends the newest checkpoint of its log (RFC 6962 consistency proof \
            from that anchored head to the stored tree; reads every stored record hash once). \
            If the database no longer reproduces it (history rewritten, records gone, another \
            database) or the anchors cannot be read, the sink logs the reason and exits 1 \
            instead of appending to, and signing, a rewritten log.

            SIGTERM or SIGINT: stop fetching, store what was received, checkpoint, commit the \
            offsets, leave the group, exit 0.

            Stores:
              sqlite:PATH                                        (default sqlite:<home>/audit.sqlite)
              postgresql://user:pw@host:5432/db[?schema=name]    (schema default agentmesh_audit)

            Check and read the trail with `meshctl audit verify|trace|search|export`.
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var catalog: CatalogOptions

    @Option(help: ArgumentHelp(
        "Audit store: sqlite:PATH or postgresql://…[?schema=NAME]. Default: $AGENTMESH_AUDIT_STORE, else sqlite:<home>/audit.sqlite.",
        valueName: "url"))
    var store: String?

    @Option(help: "Kafka consumer group. Run several sinks in one group to share partitions (one store).")
    var group = AuditSinkCommand.role

    @Option(help: "Records per database transaction (upper bound).")
    var batchSize = AuditIngestor.defaultBatchSize

    @Option(name: .customLong("batch-wait-ms"), help: "Longest wait, in milliseconds, for a batch to fill before it is written anyway.")
    var batchWaitMs = 50

    @Option(name: .customLong("checkpoint-records"), help: "Write a signed checkpoint every this many records (0: no count trigger).")
    var checkpointRecords = 10_000

    @Option(name: .customLong("checkpoint-seconds"), help: "Write a signed checkpoint when this many seconds passed and the log grew (0: no time trigger).")
    var checkpointSeconds: Double = 60

    @Flag(name: .customLong("anchor-topic"), help: "Publish every checkpoint to the catalog's checkpoint topic (type \(AuditCheckpointTopic.type)).")
    var anchorTopic = false

    @Option(name: .customLong("anchor-file"), help: ArgumentHelp(
        "Append every checkpoint (one JSON line) to this file; keep it on another host or an append-only mount.", valueName: "path"))
    var anchorFile: String?

    @Option(name: .customLong("anchor-dir"), help: ArgumentHelp(
        "Write every checkpoint as its own read-only file into this directory (WORM storage: S3 Object Lock, a read-only mount).",
        valueName: "dir"))
    var anchorDirectory: String?

    @Flag(name: .customLong("record-later-copies"), help: ArgumentHelp(
        "Store a later copy of an envelope id already stored with other bytes, flagged superseded (same signer, type, cause "
            + "and topic) or conflict, instead of skipping it as a duplicate."))
    var recordLaterCopies = false

    @Flag(name: .customLong("flag-unauthorized"), help: ArgumentHelp(
        "Store envelopes the runtime refuses by catalog authorization (signer may not emit that type on that topic) "
            + "flagged unauthorized instead of verified."))
    var flagUnauthorized = false

    @Option(name: .customLong("stats-seconds"), help: "Log the counters every this many seconds.")
    var statsSeconds: Double = 10

    @OptionGroup var options: RoleOptions

    func validate() throws {
        guard batchSize >= 1 && batchSize <= 100_000 else { throw ValidationError("--batch-size must be between 1 and 100000") }
        guard batchWaitMs >= 0 else { throw ValidationError("--batch-wait-ms must not be negative") }
        guard checkpointRecords >= 0 else { throw ValidationError("--checkpoint-records must not be negative") }
        guard checkpointSeconds >= 0 else { throw ValidationError("--checkpoint-seconds must not be negative") }
        guard statsSeconds > 0 else { throw ValidationError("--stats-seconds must be positive") }
        if let store { _ = try Self.location(store, home: connection.environment.home) }
    }

    static func location(_ value: String?, home: URL) throws -> AuditStoreLocation {
        do {
            return try AuditStoreLocation.resolve(value, home: home)
        } catch let error as AuditStoreLocationError {
            throw ValidationError(error.description)
        }
    }

    func run() async throws {
        MeshLogging.bootstrap(role: Self.role)
        ProcessMetrics.bootstrap()
        let instance = options.instanceID
        var logger = Logger(label: Self.role)
        logger[metadataKey: "instance"] = "\(instance)"

        let location = try Self.location(store, home: connection.environment.home)
        let loadedCatalog = try catalog.load()
        let keys = connection.keysDirectory
        let signer: MessageSigner
        let opener: EnvelopeOpener
        do {
            signer = try KeyRingStore.loadSigner(principal: Self.role, from: keys)
            opener = EnvelopeOpener(trust: try KeyRingStore.loadTrustStore(from: keys))
        } catch {
            throw ValidationError("cannot load the audit-sink key and trust store from \(keys): \(error) "
                + "(create the key ring with `meshctl keys init`, or pass --home)")
        }
        // A checkpoint is worth something only if no one else can sign it: refuse to sign
        // with a key verifiers would not accept (HMAC, or not pinned).
        let checkpointTrust: TrustStore
        do {
            checkpointTrust = try KeyRingStore.loadCheckpointTrust(trustFile: KeyRingStore.trustFile(in: keys))
            guard signer.metadata.algorithm == .ed25519, checkpointTrust.key(id: signer.metadata.keyId) != nil else {
                throw ValidationError("the audit-sink key \(signer.metadata.keyId) (\(signer.metadata.algorithm.rawValue)) is not "
                    + "a pinned Ed25519 checkpoint key in \(keys)/trust.json, so verifiers would reject its checkpoints; "
                    + "re-create the key ring with `meshctl keys init --force`")
            }
        } catch let error as ValidationError {
            throw error
        } catch {
            throw ValidationError("\(error)")
        }
        let policy = CheckpointPolicy(
            everyRecords: checkpointRecords > 0 ? checkpointRecords : nil,
            everySeconds: checkpointSeconds > 0 ? checkpointSeconds : nil)
        var storeConfiguration = AuditStoreConfiguration(signer: signer, checkpoints: policy)
        storeConfiguration.recordsLaterCopies = recordLaterCopies
        let auditStore: AuditStore
        do {
            auditStore = try location.open(configuration: storeConfiguration)
        } catch {
            throw ValidationError("cannot open audit store \(location): \(error)")
        }

        let topics = Self.subscription(for: loadedCatalog)
        let kafka = try connection.kafkaConfiguration()
        let checkpointTopic = loadedCatalog.topics(declaring: AuditCheckpointTopic.type).first?.name
        if anchorTopic && checkpointTopic == nil {
            throw ValidationError("--anchor-topic: the catalog declares no topic carrying \(AuditCheckpointTopic.type)")
        }
        try await StartupAnchorCheck.run(
            store: auditStore, file: anchorFile, directory: anchorDirectory, topic: anchorTopic ? checkpointTopic : nil,
            kafka: kafka, trust: checkpointTrust, logger: logger)

        // Checkpoints go to their topic through a producer of their own: the worker's carries
        // dead letters and cards, and closes when the worker stops.
        let anchorProducer: KafkaProducer? = try anchorTopic ? KafkaProducer(configuration: kafka, logger: logger) : nil
        defer { anchorProducer?.close(timeout: .seconds(5)) }
        var authorize: AuditInputBuilder.Authorize?
        if flagUnauthorized {
            let catalogForChecks = loadedCatalog
            authorize = { inbound in Authorization.check(inbound, catalog: catalogForChecks) }
        }
        let metrics = SinkMetrics(role: Self.role)
        let anchors = CheckpointAnchors(
            file: anchorFile, directory: anchorDirectory,
            topic: anchorProducer.flatMap { producer in checkpointTopic.map { ($0, producer) } }, metrics: metrics, logger: logger)
        if anchors.destinations.isEmpty {
            logger.warning("checkpoints are kept only in the database: pass --anchor-topic, --anchor-file or --anchor-dir, or a rewrite of the whole database cannot be detected")
        } else {
            logger.info("checkpoints are anchored outside the database", metadata: ["anchors": "\(anchors.destinations)"])
        }
        let handler = AuditSinkHandler(
            store: auditStore, reopen: { try location.open(configuration: storeConfiguration) },
            ingestor: AuditIngestor(builder: AuditInputBuilder(opener: opener, authorize: authorize)),
            logger: logger, statsInterval: .milliseconds(Int(statsSeconds * 1_000)), metrics: metrics,
            anchors: anchors, anchorTopic: checkpointTopic, deadLetterTopic: loadedCatalog.deadLetterTopic?.name)
        let worker = try RoleProcess.batchWorker(
            role: Self.role, groupID: group, subscription: topics, handler: handler,
            batching: BatchSettings(maxRecords: batchSize, maxWait: .milliseconds(batchWaitMs)), handlerKind: "audit-store",
            connection: connection, catalog: loadedCatalog, options: options, logger: logger)
        logger.info("audit sink started", metadata: [
            "store": "\(location)", "log_id": "\(auditStore.logID)", "group": "\(group)",
            "subscription": "\(topics.joined(separator: ","))",
            "catalog_topics": "\(loadedCatalog.topics(consumedBy: Self.role).count)",
            "head": "\((try? auditStore.head()?.sequence) ?? 0)", "checkpoint_key": "\(signer.metadata.keyId)",
        ])
        await RoleProcess.run(worker, options: options, logger: logger)
    }

    /// The principal the sink signs as and its name in the catalog.
    static let role = MeshRoles.auditSink

    /// `^mesh\..*` (``MeshTopics/namespacePrefix``) plus, literally, any catalog topic that the
    /// expression would miss.
    static func subscription(for catalog: Catalog) -> [String] {
        let prefix = MeshTopics.namespacePrefix
        let pattern = "^" + NSRegularExpression.escapedPattern(for: prefix) + ".*"
        let extra = catalog.topics.map(\.name).filter { !$0.hasPrefix(prefix) }
        return [pattern] + extra.sorted()
    }
}
