// Contract checks shared by encode and decode, so a producer is refused exactly what a
// consumer would dead-letter, and the two sides cannot drift apart.

enum Contract {
    /// Envelope header rules, in the order errors are reported.
    static func checkHeader(id: String, source: String, specVersion: String, correlationID: String,
                            schemaVersion: UInt32) throws(WireError) {
        if id.isEmpty { throw .missingRequiredField("id") }
        if source.isEmpty { throw .missingRequiredField("source") }
        if specVersion.isEmpty { throw .missingRequiredField("spec_version") }
        if specVersion != Envelope.currentSpecVersion { throw .unsupportedSpecVersion(specVersion) }
        if correlationID.isEmpty { throw .missingRequiredField("correlation_id") }
        if schemaVersion != Envelope.currentSchemaVersion { throw .unsupportedSchemaVersion(schemaVersion) }
    }

    /// The objective is the correlation: a payload naming an objective must name the one its
    /// envelope is correlated (and keyed, and partitioned) by. Otherwise a plan would be
    /// filed under one objective and routed as another, and `PlanCreated` could point a
    /// follower at an objective that is not the one it belongs to.
    static func checkObjective(_ payload: Payload, correlationID: String) throws(WireError) {
        let field: String, objectiveID: String
        switch payload {
        case .objectiveSubmitted(let p): (field, objectiveID) = ("objective_submitted.objective_id", p.objectiveID)
        case .objectiveCancelRequested(let p): (field, objectiveID) = ("objective_cancel_requested.objective_id", p.objectiveID)
        case .planCreated(let p): (field, objectiveID) = ("plan_created.objective_id", p.objectiveID)
        default: return
        }
        if objectiveID != correlationID {
            throw .objectiveMismatch(field: field, objectiveID: objectiveID, correlationID: correlationID)
        }
    }

    static func checkSealed(formatVersion: UInt32, envelopeCount: Int, signatureCount: Int) throws(WireError) {
        if formatVersion != SealedEnvelope.currentFormatVersion { throw .unsupportedSealedFormatVersion(formatVersion) }
        if envelopeCount == 0 { throw .missingRequiredField("envelope") }
        if signatureCount == 0 { throw .missingRequiredField("signatures") }
    }
}

extension Envelope {
    /// Throws the error a consumer's `decode` would raise for this value's header (required
    /// fields, spec and schema version, an objective id equal to the correlation id).
    /// `encode` calls it; call it earlier to fail fast.
    public func validate() throws(WireError) {
        try Contract.checkHeader(id: id, source: source, specVersion: specVersion,
                                 correlationID: correlationID, schemaVersion: schemaVersion)
        try Contract.checkObjective(payload, correlationID: correlationID)
    }
}

extension SealedEnvelope {
    /// Throws what `decodeSealed` would raise for this value's framing (format version,
    /// empty envelope, no signatures). It does not verify signatures.
    public func validate() throws(WireError) {
        try Contract.checkSealed(formatVersion: formatVersion, envelopeCount: envelope.count,
                                 signatureCount: signatures.count)
    }
}
