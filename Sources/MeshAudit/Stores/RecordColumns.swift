/// The columns of `audit_records` and the order the append path writes them in: the one
/// definition both stores use (the SQLite INSERT binds them in this order, the PostgreSQL
/// binary COPY encodes them in this order, and reads select `selected` in this order).
enum RecordColumns {
    /// Every column the append path writes, in writing order (`write` follows it).
    static let names = [
        "sequence", "recorded_at", "previous_hash", "record_hash", "envelope_id", "type", "source", "subject",
        "correlation_id", "causation_id", "event_time", "signer_key_id", "signer_principal",
        "verification_status", "rejection_reason", "kafka_topic", "kafka_partition", "kafka_offset",
        "kafka_timestamp", "raw_sha256", "raw",
    ]

    /// Number of columns written per record.
    static var count: Int { names.count }

    /// `names` as a SQL column list.
    static let insertList = names.joined(separator: ", ")

    /// The columns reads select, in the order `RecordRow` decodes them: every written column
    /// (`raw_sha256` too, so a value that is not the digest of `raw` is seen).
    static let selectList = insertList

    /// Columns that may hold NULL (everything else is NOT NULL when written).
    static let nullable: Set<String> = ["signer_key_id", "signer_principal", "rejection_reason"]

    /// Indices in `names` of the NOT NULL columns.
    static let required: [Int] = names.indices.filter { !nullable.contains(names[$0]) }

    /// Hands `record`'s column values to `writer` in the order of `names`.
    /// Fields are read in place (no copy of `record.input`, which would retain all of them).
    static func write<Writer: RecordColumnWriter>(_ record: AuditRecord, to writer: inout Writer) throws {
        try writer.int64(record.sequence)
        try writer.int64(record.recordedAtMicros)
        try writer.bytes(record.previousHash)
        try writer.bytes(record.recordHash)
        try writer.text(record.input.envelopeID)
        try writer.text(record.input.type)
        try writer.text(record.input.source)
        try writer.text(record.input.subject)
        try writer.text(record.input.correlationID)
        try writer.text(record.input.causationID)
        try writer.int64(record.input.eventTimeMicros)
        try writer.optionalText(record.input.signerKeyID)
        try writer.optionalText(record.input.signerPrincipal)
        try writer.text(record.input.verification.label)
        try writer.optionalText(record.input.verification.reason)
        try writer.text(record.input.kafka.topic)
        try writer.int32(record.input.kafka.partition)
        try writer.int64(record.input.kafka.offset)
        try writer.int64(record.input.kafka.timestampMillis)
        try writer.bytes(record.input.rawSHA256)
        try writer.raw(record.input.raw)
    }
}

/// Receives one record's column values from `RecordColumns.write`, one call per column.
protocol RecordColumnWriter {
    mutating func int64(_ value: Int64) throws
    mutating func int32(_ value: Int32) throws
    mutating func bytes(_ value: [UInt8]) throws
    mutating func text(_ value: String) throws
    mutating func optionalText(_ value: String?) throws
    /// The last column: the raw envelope bytes (a writer may lend them instead of copying).
    mutating func raw(_ value: [UInt8]) throws
}
