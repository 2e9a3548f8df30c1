/// Column-level decoding shared by the SQLite and PostgreSQL stores (both read the columns of
/// `RecordColumns.selectList` in that order).
///
/// Decoding is exact: a stored value that the append path could not have written (a NULL in a
/// required column, a reason on a verified record, a rejected record without one, a partition
/// outside 32 bits, a `raw_sha256` that is not the digest of `raw`) is not folded into a value
/// the hash would accept; the record carries a `storageProblem` and the verifier names it.
enum RecordRow {
    /// Builds an `AuditRecord` from decoded column values. `nullColumn` names the first
    /// required column that held NULL, if any.
    static func record(
        sequence: Int64, recordedAt: Int64, previousHash: [UInt8], recordHash: [UInt8],
        envelopeID: String, type: String, source: String, subject: String,
        correlationID: String, causationID: String, eventTime: Int64,
        signerKeyID: String?, signerPrincipal: String?, status: String, reason: String?,
        topic: String, partition: Int64, offset: Int64, kafkaTimestamp: Int64, rawSHA256: [UInt8], raw: [UInt8],
        nullColumn: String?
    ) -> AuditRecord {
        var problems: [String] = []
        if let nullColumn { problems.append("required column \(nullColumn) is NULL") }
        let verification: AuditVerificationStatus
        switch (status, reason) {
        case ("verified", nil):
            verification = .verified
        case ("verified", .some):
            verification = .verified
            problems.append("a verified record carries a rejection_reason")
        case ("rejected", .some(let reason)):
            verification = .rejected(reason: reason)
        case ("rejected", nil):
            verification = .rejected(reason: "")
            problems.append("a rejected record has a NULL rejection_reason (the sink always stores one)")
        default:
            verification = .rejected(reason: reason ?? "")
            problems.append("unknown verification_status \"\(status)\"")
        }
        if partition < Int64(Int32.min) || partition > Int64(Int32.max) {
            problems.append("kafka_partition \(partition) is outside the 32-bit range of Kafka partitions")
        }
        let input = AuditRecordInput(
            raw: raw, envelopeID: envelopeID, type: type, source: source, subject: subject,
            correlationID: correlationID, causationID: causationID, eventTimeMicros: eventTime,
            signerKeyID: signerKeyID, signerPrincipal: signerPrincipal, verification: verification,
            kafka: KafkaCoordinates(topic: topic, partition: Int32(truncatingIfNeeded: partition),
                                    offset: offset, timestampMillis: kafkaTimestamp))
        if rawSHA256 != input.rawSHA256 { problems.append("raw_sha256 is not the SHA-256 of the stored raw bytes") }
        var record = AuditRecord(sequence: sequence, recordedAtMicros: recordedAt, previousHash: previousHash,
                                 recordHash: recordHash, input: input)
        record.storageProblem = problems.isEmpty ? nil : problems.joined(separator: "; ")
        return record
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
