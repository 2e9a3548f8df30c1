import Foundation
import MeshAudit
import MeshAuditIngest
import MeshOps
import MeshSigning

/// The console's read-only window on the audit store (the database `mesh-audit-sink`
/// writes). The store, not Kafka, answers for history: it keeps every envelope of every
/// topic (task assignments, operator actions, rejected records too) for as long as records
/// must be retained, hash-chained and checkpointed, while topics are trimmed by retention.
/// So the causal tree, timeline, verify status and export come from here; the live state of
/// plans comes from Kafka (`MeshFeed`). The store is opened per request, read-only, like
/// `meshctl audit` opens it.
public struct AuditView: Sendable {
    public let location: AuditStoreLocation
    let keysDirectory: String
    /// Where the store was (head and checkpoint count) when `verifyCache` was filled.
    struct StorePosition: Hashable {
        var head: AuditHead?
        var checkpoints: Int
    }
    let verifyCache: VerifyCache<StorePosition, (report: VerificationReport, json: [String: Any])>

    /// `verifyMaxAge`: the longest a verify result is shown before the store is verified again
    /// even though it has not moved on.
    public init(location: AuditStoreLocation, keysDirectory: String, verifyMaxAge: TimeInterval = 60) {
        self.init(location: location, keysDirectory: keysDirectory, verifyCache: VerifyCache(maxAge: verifyMaxAge))
    }

    init(location: AuditStoreLocation, keysDirectory: String,
         verifyCache: VerifyCache<StorePosition, (report: VerificationReport, json: [String: Any])>) {
        self.location = location
        self.keysDirectory = keysDirectory
        self.verifyCache = verifyCache
    }

    /// Why the store cannot be read, as a typed error.
    func open() throws -> AuditStore {
        do {
            return try location.openForReading()
        } catch {
            throw ConsoleError(.unavailable, "the audit store \(location) cannot be read: \(error)")
        }
    }

    public func trace(_ correlationID: String) throws -> AuditTrace {
        try open().trace(correlationID: correlationID)
    }

    /// Verifies records, chain, stored envelopes' signatures and checkpoints as `meshctl audit
    /// verify` does without `--anchor` (anchors live outside the console's reach); again only
    /// when records or checkpoints were added since the last time or the last result is older
    /// than the cache's bound. The JSON says when (`verifiedAt`).
    public func verify() throws -> (report: VerificationReport, json: [String: Any]) {
        let store = try open()
        let position = StorePosition(head: try store.head(), checkpoints: try store.checkpoints().count)
        let (result, verifiedAt) = try verifyCache.value(for: position) {
            let report = try AuditVerifier.verify(store, trust: try checkpointTrust(),
                                                  envelopes: StoredEnvelopeRecheck(trust: try KeyRingStore.loadTrustStore(from: keysDirectory)))
            return (report, AuditVerifyDocument.json(report, store: store))
        }
        var json = result.json
        json["verifiedAt"] = ISO8601DateFormatter().string(from: verifiedAt)
        return (result.report, json)
    }

    /// Writes the export (`meshctl audit export` format) to `url`.
    public func export(format: AuditExporter.Format, to url: URL) throws -> VerificationReport {
        let store = try open()
        return try AuditExporter.export(store, format: format, to: url, trust: try checkpointTrust(),
                                        envelopes: StoredEnvelopeRecheck(trust: try KeyRingStore.loadTrustStore(from: keysDirectory)))
    }

    private func checkpointTrust() throws -> TrustStore {
        try KeyRingStore.loadCheckpointTrust(trustFile: KeyRingStore.trustFile(in: keysDirectory))
    }
}
