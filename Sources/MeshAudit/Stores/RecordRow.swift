/// Column-level decoding shared by the SQLite and PostgreSQL stores (both read the columns of
/// `RecordColumns.selectList` in that order).
enum RecordRow {
    /// The `AuditVerificationStatus` for stored status/reason columns. An unknown status value
    /// (only possible after tampering) is kept visible as a rejection so the hash check flags it.
    static func verification(status: String, reason: String?) -> AuditVerificationStatus {
        switch status {
        case "verified": return .verified
        case "rejected": return .rejected(reason: reason ?? "")
        default: return .rejected(reason: "unknown stored status \"\(status)\"")
        }
    }

    /// Builds an `AuditRecord` from decoded column values.
    static func record(
        sequence: Int64, recordedAt: Int64, previousHash: [UInt8], recordHash: [UInt8],
        envelopeID: String, type: String, source: String, subject: String,
        correlationID: String, causationID: String, eventTime: Int64,
        signerKeyID: String?, signerPrincipal: String?, status: String, reason: String?,
        topic: String, partition: Int64, offset: Int64, kafkaTimestamp: Int64, raw: [UInt8]
    ) -> AuditRecord {
        let input = AuditRecordInput(
            raw: raw, envelopeID: envelopeID, type: type, source: source, subject: subject,
            correlationID: correlationID, causationID: causationID, eventTimeMicros: eventTime,
            signerKeyID: signerKeyID, signerPrincipal: signerPrincipal,
            verification: verification(status: status, reason: reason),
            kafka: KafkaCoordinates(topic: topic, partition: Int32(truncatingIfNeeded: partition),
                                    offset: offset, timestampMillis: kafkaTimestamp))
        return AuditRecord(sequence: sequence, recordedAtMicros: recordedAt, previousHash: previousHash,
                           recordHash: recordHash, input: input)
    }
}

/// A search filter turned into a SQL WHERE clause with positional parameters, shared by both
/// stores; `placeholder` renders parameter number n (`?n` for SQLite, `$n` for PostgreSQL).
struct FilterClause {
    enum Value { case text(String), int(Int64) }

    var sql: String
    var values: [Value]

    init(_ filter: AuditSearchFilter, placeholder: (Int) -> String) {
        var conditions: [String] = []
        var values: [Value] = []
        func add(_ column: String, _ op: String, _ value: Value) {
            values.append(value)
            conditions.append("\(column) \(op) \(placeholder(values.count))")
        }
        if let type = filter.type { add("type", "=", .text(type)) }
        if let source = filter.source { add("source", "=", .text(source)) }
        if let subject = filter.subject { add("subject", "=", .text(subject)) }
        if let correlation = filter.correlationID { add("correlation_id", "=", .text(correlation)) }
        if let from = filter.eventTimeFromMicros { add("event_time", ">=", .int(from)) }
        if let until = filter.eventTimeUntilMicros { add("event_time", "<", .int(until)) }
        if let verification = filter.verification { add("verification_status", "=", .text(verification.rawValue)) }
        if let after = filter.afterSequence { add("sequence", ">", .int(after)) }
        var sql = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        sql += " ORDER BY sequence"
        if let limit = filter.limit { sql += " LIMIT \(max(0, limit))" }
        self.sql = sql
        self.values = values
    }
}
