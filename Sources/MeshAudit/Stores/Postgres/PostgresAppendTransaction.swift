import MeshSigning

/// `AppendTransaction` over an open PostgreSQL transaction: duplicates are looked up for the
/// whole batch in one query, records are buffered and loaded with one binary COPY at `flush`.
final class PostgresAppendTransaction: AppendTransaction {
    private let connection: PGConnection
    private var copy = PostgresCopyEncoder()

    init(connection: PGConnection) {
        self.connection = connection
    }

    func storedHead() throws -> AuditHead? {
        let result = try connection.execute("SELECT sequence, record_hash FROM audit_records ORDER BY sequence DESC LIMIT 1")
        guard result.rowCount == 1 else { return nil }
        return AuditHead(sequence: result.integer(0, 0), recordHash: result.bytes(0, 1))
    }

    func storedRecordHashes() throws -> [[UInt8]] {
        var hashes: [[UInt8]] = []
        var after: Int64 = 0
        while true {
            let result = try connection.execute(
                "SELECT sequence, record_hash FROM audit_records WHERE sequence > $1 ORDER BY sequence LIMIT 50000", [.int8(after)])
            guard result.rowCount > 0 else { return hashes }
            for row in 0..<result.rowCount { hashes.append(result.bytes(row, 1)) }
            after = result.integer(result.rowCount - 1, 0)
        }
    }

    func storedLastCheckpoint() throws -> AuditCheckpoint? {
        let result = try connection.execute(
            "SELECT \(SQLiteSchema.checkpointColumns) FROM audit_checkpoints ORDER BY sequence DESC LIMIT 1")
        guard result.rowCount == 1 else { return nil }
        return PostgresAuditStore.checkpoint(result, row: 0)
    }

    func alreadyStored(_ batch: [AuditRecordInput]) throws -> Set<Int> {
        guard !batch.isEmpty else { return [] }
        let result = try connection.execute("""
            SELECT k.i FROM unnest($1::text[], $2::int[], $3::bigint[], $4::text[]) WITH ORDINALITY AS k(t, p, o, e, i)
            WHERE EXISTS (SELECT 1 FROM audit_records r
                          WHERE r.kafka_topic = k.t AND r.kafka_partition = k.p AND r.kafka_offset = k.o)
               OR (k.e <> '' AND EXISTS (SELECT 1 FROM audit_records r WHERE r.envelope_id <> '' AND r.envelope_id = k.e))
            """, [
                .literal(PGArrayLiteral.text(batch.map(\.kafka.topic))),
                .literal(PGArrayLiteral.integers(batch.map(\.kafka.partition))),
                .literal(PGArrayLiteral.integers(batch.map(\.kafka.offset))),
                .literal(PGArrayLiteral.text(batch.map(\.envelopeID))),
            ])
        return Set((0..<result.rowCount).map { Int(result.integer($0, 0)) - 1 })
    }

    func insert(_ record: AuditRecord, rawSHA256: [UInt8]) throws -> Bool {
        copy.append(record, rawSHA256: rawSHA256)
        return true
    }

    func insert(_ checkpoint: AuditCheckpoint) throws {
        try connection.execute(
            "INSERT INTO audit_checkpoints (\(SQLiteSchema.checkpointColumns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", [
                .int8(checkpoint.sequence), .text(checkpoint.logID), .bytea(checkpoint.headHash),
                .bytea(checkpoint.merkleRoot), .int8(checkpoint.createdAtMicros), .text(checkpoint.signature.keyId),
                .text(checkpoint.signature.algorithm.rawValue), .bytea(checkpoint.signature.bytes),
            ])
    }

    func flush() throws {
        guard copy.rowCount > 0 else { return }
        try connection.copyIn("COPY audit_records (\(PostgresSchema.insertColumns)) FROM STDIN (FORMAT binary)",
                              data: copy.finished)
        copy = PostgresCopyEncoder()
    }
}
