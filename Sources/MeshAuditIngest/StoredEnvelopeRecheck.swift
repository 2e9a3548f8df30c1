import MeshAudit
import MeshSigning
import MeshTransport

/// Verify's envelope check: rebuilds what the sink would store for each record's raw bytes
/// (`AuditInputBuilder`, the sink's own code: signatures checked against the trust store as
/// the runtime does) and compares it with what is stored. So a record whose fields were edited
/// and whose chain was recomputed is named even when no checkpoint covers it yet, and a record
/// stored as verified whose signature no longer checks out is named.
///
/// Records whose signing key was revoked after they were stored keep their stored status:
/// a revocation says "trust nothing new from this key", it is not evidence of tampering.
/// The rejection reason of a rejected record is not compared word for word (it quotes the
/// trust store of the day, e.g. an unknown key id that was added later); the status and the
/// claimed fields are.
public struct StoredEnvelopeRecheck: StoredEnvelopeCheck {
    let builder: AuditInputBuilder
    let authorize: AuditInputBuilder.Authorize?

    /// A check against `trust` (every key of the ring, as the sink loads it). `authorize` (the
    /// runtime's catalog check) confirms records the sink flagged unauthorized; without it
    /// such a record is reported, since its envelope verifies.
    public init(trust: TrustStore, authorize: AuditInputBuilder.Authorize? = nil) {
        builder = AuditInputBuilder(opener: EnvelopeOpener(trust: trust))
        self.authorize = authorize
    }

    /// Reason prefix of records stored flagged because the database refused them as received
    /// (their indexed fields are withheld by design; see `AuditBatchWriter.flagged`).
    static let storeRefusedPrefix = "store-refused:"

    /// Reason prefix of records flagged by the catalog check (`EnvelopeRejection` description).
    public static let unauthorizedPrefix = EnvelopeRejection.Reason.unauthorized.rawValue + ":"


    public func problem(with record: AuditRecord) -> String? {
        let stored = record.input
        if let reason = stored.verification.reason, reason.hasPrefix(Self.storeRefusedPrefix) {
            let withheld = [stored.envelopeID, stored.type, stored.source, stored.subject, stored.correlationID, stored.causationID]
            guard withheld.allSatisfy(\.isEmpty), stored.signerKeyID == nil, stored.signerPrincipal == nil else {
                return "flagged store-refused, which stores no indexed fields, but it carries some"
            }
            return nil
        }
        let (rebuilt, rejection) = builder.build(raw: stored.raw, kafka: stored.kafka)
        switch (stored.verification, rejection) {
        case (.verified, .some(let rejection)) where rejection.reason == .revokedKey:
            // Verified when stored, key revoked since: still compare what the bytes claim.
            return claimedFieldsProblem(stored, rebuilt: rebuilt, verified: false)
        case (.verified, .some(let rejection)):
            return "stored as verified, but its envelope does not verify against the trust store: \(rejection)"
        case (.rejected, nil) where LaterCopies.isFlagged(stored.verification):
            // A later copy of an envelope id: its envelope verifies, its claimed id is in the reason.
            if let problem = claimedFieldsProblem(stored, rebuilt: rebuilt, verified: false) { return problem }
            guard stored.signerPrincipal == rebuilt.signerPrincipal,
                  stored.verification.reason?.contains(rebuilt.envelopeID) == true else {
                return "flagged as a later copy, but its signer or envelope id is not what its signed bytes say"
            }
            return nil
        case (.rejected(let reason), nil) where reason.hasPrefix(Self.unauthorizedPrefix):
            // Flagged by the sink's catalog check: the same check must refuse it today.
            guard let authorize, case .success(let opened) = builder.opener.open(stored.raw),
                  authorize(InboundEnvelope(opened: opened, message: AuditInputBuilder.message(raw: stored.raw, kafka: stored.kafka)))
                    != nil
            else {
                return "flagged unauthorized, but the catalog allows its signer to emit it there"
                    + (authorize == nil ? " (or no catalog was given to check)" : "")
            }
            return claimedFieldsProblem(stored, rebuilt: rebuilt, verified: false)
        case (.rejected, nil):
            return "stored as rejected (\(stored.verification.reason ?? "")), but its envelope verifies: the status was changed"
        case (.verified, nil):
            return claimedFieldsProblem(stored, rebuilt: rebuilt, verified: true)
        case (.rejected, .some):
            return claimedFieldsProblem(stored, rebuilt: rebuilt, verified: false)
        }
    }

    /// The first stored field that is not what the raw bytes say.
    private func claimedFieldsProblem(_ stored: AuditRecordInput, rebuilt: AuditRecordInput, verified: Bool) -> String? {
        var fields: [(String, String?, String?)] = [
            ("type", stored.type, indexable(rebuilt.type)),
            ("source", stored.source, rebuilt.source),
            ("subject", stored.subject, rebuilt.subject),
            ("correlation id", stored.correlationID, rebuilt.correlationID),
            ("causation id", stored.causationID, rebuilt.causationID),
            ("event time", String(stored.eventTimeMicros), String(rebuilt.eventTimeMicros)),
            ("signer key id", stored.signerKeyID, rebuilt.signerKeyID),
        ]
        if verified {
            fields.insert(("envelope id", stored.envelopeID, rebuilt.envelopeID), at: 0)
            fields.append(("signer principal", stored.signerPrincipal, rebuilt.signerPrincipal))
        }
        for (name, storedValue, fromBytes) in fields where storedValue != fromBytes {
            return "its stored \(name) \(storedValue.map { "\"\($0)\"" } ?? "(none)") is not what its signed bytes say "
                + "(\(fromBytes.map { "\"\($0)\"" } ?? "(none)"))"
        }
        return nil
    }
}
