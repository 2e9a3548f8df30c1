import MeshSigning

/// `AppendTransaction` over an open PostgreSQL transaction.
///
/// Records are streamed to the server with one binary `COPY` while the appender is still
/// hashing the rest of the batch, so client and server work overlap; checkpoints are inserted
/// after the COPY ends, in the same transaction.
///
/// Duplicates: with `checkDuplicates` false (the optimistic first try) nothing is looked up
/// and the unique indexes are the check: a redelivered record makes the COPY fail with a
/// unique violation, the store rolls back and appends the batch again with
/// `checkDuplicates` true, which looks the whole batch up in one query first.
final class PostgresAppendTransaction: AppendTransaction {
    /// COPY data is sent in chunks of about this many bytes.
    static let chunkBytes = 256 * 1_024
    static let copySQL = "COPY audit_records (\(RecordColumns.insertList)) FROM STDIN (FORMAT binary)"

    private let connection: PGConnection
    private let checkDuplicates: Bool
    private var prefetchedHead: AuditHead??
    private var copy = PostgresCopyEncoder()
    private var copyStarted = false
    private var checkpoints: [AuditCheckpoint] = []

    /// - Parameter prefetchedHead: the head read in the transaction's first round trip, if it was.
    init(connection: PGConnection, checkDuplicates: Bool = true, prefetchedHead: AuditHead?? = nil) {
        self.connection = connection
        self.checkDuplicates = checkDuplicates
        self.prefetchedHead = prefetchedHead
    }

    /// The query, run as the last statement of a transaction's first round trip, that
    /// `head(from:)` reads.
    /// (The aliases matter: an output column named `sequence` would make ORDER BY sort the text.)
    static let headQuery = """
        SELECT sequence::text AS head_sequence, encode(record_hash, 'hex') AS head_hash
        FROM audit_records ORDER BY sequence DESC LIMIT 1
        """

    /// The head in the text result of `headQuery`.
    static func head(from result: PGResult) throws -> AuditHead? {
        guard result.rowCount == 1 else { return nil }
        guard let sequence = Int64(result.text(0, 0)), let hash = Hex.decode(result.text(0, 1)) else {
            throw AuditStoreError.malformedRow(table: "audit_records", sequence: nil, detail: "unreadable head row")
        }
        return AuditHead(sequence: sequence, recordHash: hash)
    }

    func storedHead() throws -> AuditHead? {
        if let prefetched = prefetchedHead {
            prefetchedHead = nil
            return prefetched
        }
        return try Self.head(from: connection.executeScript(Self.headQuery))
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
        guard checkDuplicates, !batch.isEmpty else { return [] }
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

    func storedCopies(of envelopeIDs: Set<String>) throws -> [String: StoredCopy] {
        guard !envelopeIDs.isEmpty else { return [:] }
        let result = try connection.execute("""
            SELECT envelope_id, sequence, raw_sha256, signer_principal, type, causation_id, kafka_topic, kafka_partition, kafka_offset
            FROM audit_records WHERE envelope_id <> '' AND envelope_id = ANY($1::text[])
            """, [.literal(PGArrayLiteral.text(Array(envelopeIDs)))])
        var copies: [String: StoredCopy] = [:]
        for row in 0..<result.rowCount {
            copies[result.text(row, 0)] = StoredCopy(
                sequence: result.integer(row, 1), rawSHA256: result.bytes(row, 2), signerPrincipal: result.optionalText(row, 3),
                type: result.text(row, 4), causationID: result.text(row, 5),
                kafka: CoordinateKey(KafkaCoordinates(topic: result.text(row, 6), partition: Int32(truncatingIfNeeded: result.integer(row, 7)),
                                                      offset: result.integer(row, 8), timestampMillis: 0)))
        }
        return copies
    }

    func insert(_ record: consuming AuditRecord) throws -> Bool {
        try copy.append(record)
        if copy.byteCount >= Self.chunkBytes { try sendChunk() }
        return true
    }

    func insert(_ checkpoint: AuditCheckpoint) throws {
        // No statement may run while the COPY is open: written at flush.
        checkpoints.append(checkpoint)
    }

    func flush() throws {
        if copy.rowCount > 0 || copyStarted {
            try sendChunk(final: true)
            try connection.endCopy(context: Self.copySQL)
            copyStarted = false
            copy = PostgresCopyEncoder()
        }
        for checkpoint in checkpoints {
            try connection.execute(
                "INSERT INTO audit_checkpoints (\(SQLiteSchema.checkpointColumns)) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)", [
                    .int8(checkpoint.sequence), .text(checkpoint.logID), .bytea(checkpoint.headHash),
                    .bytea(checkpoint.merkleRoot), .int8(checkpoint.createdAtMicros), .text(checkpoint.signature.keyId),
                    .text(checkpoint.signature.algorithm.rawValue), .bytea(checkpoint.signature.bytes),
                ])
        }
        checkpoints = []
    }

    /// Ends a COPY still open after a failure, so the transaction can be rolled back.
    func abandon() {
        guard copyStarted else { return }
        connection.abortCopy(reason: "append abandoned")
        copyStarted = false
    }

    private func sendChunk(final: Bool = false) throws {
        if !copyStarted {
            try connection.beginCopy(Self.copySQL)
            copyStarted = true
        }
        try connection.putCopyData(copy.take(final: final), context: Self.copySQL)
    }
}
