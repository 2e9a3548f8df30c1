/// DDL of the SQLite audit store. Every statement is idempotent.
enum SQLiteSchema {
    static let statements = """
    CREATE TABLE IF NOT EXISTS audit_meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;
    CREATE TABLE IF NOT EXISTS audit_records (
        sequence            INTEGER PRIMARY KEY,
        recorded_at         INTEGER NOT NULL,
        previous_hash       BLOB NOT NULL,
        record_hash         BLOB NOT NULL,
        envelope_id         TEXT NOT NULL,
        type                TEXT NOT NULL,
        source              TEXT NOT NULL,
        subject             TEXT NOT NULL,
        correlation_id      TEXT NOT NULL,
        causation_id        TEXT NOT NULL,
        event_time          INTEGER NOT NULL,
        signer_key_id       TEXT,
        signer_principal    TEXT,
        verification_status TEXT NOT NULL CHECK (verification_status IN ('verified', 'rejected')),
        rejection_reason    TEXT,
        kafka_topic         TEXT NOT NULL,
        kafka_partition     INTEGER NOT NULL,
        kafka_offset        INTEGER NOT NULL,
        kafka_timestamp     INTEGER NOT NULL,
        raw_sha256          BLOB NOT NULL,
        raw                 BLOB NOT NULL
    ) STRICT;
    CREATE UNIQUE INDEX IF NOT EXISTS audit_records_envelope_id
        ON audit_records (envelope_id) WHERE envelope_id <> '';
    CREATE UNIQUE INDEX IF NOT EXISTS audit_records_kafka
        ON audit_records (kafka_topic, kafka_partition, kafka_offset);
    CREATE INDEX IF NOT EXISTS audit_records_correlation ON audit_records (correlation_id, sequence);
    CREATE INDEX IF NOT EXISTS audit_records_type ON audit_records (type, sequence);
    CREATE INDEX IF NOT EXISTS audit_records_event_time ON audit_records (event_time);
    CREATE TABLE IF NOT EXISTS audit_checkpoints (
        sequence      INTEGER PRIMARY KEY,
        log_id        TEXT NOT NULL,
        head_hash     BLOB NOT NULL,
        merkle_root   BLOB NOT NULL,
        created_at    INTEGER NOT NULL,
        key_id        TEXT NOT NULL,
        algorithm     TEXT NOT NULL,
        signature     BLOB NOT NULL
    ) STRICT;
    CREATE TRIGGER IF NOT EXISTS audit_records_no_update BEFORE UPDATE ON audit_records
        BEGIN SELECT RAISE(ABORT, 'audit_records is append-only: UPDATE refused'); END;
    CREATE TRIGGER IF NOT EXISTS audit_records_no_delete BEFORE DELETE ON audit_records
        BEGIN SELECT RAISE(ABORT, 'audit_records is append-only: DELETE refused'); END;
    CREATE TRIGGER IF NOT EXISTS audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
        BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only: UPDATE refused'); END;
    CREATE TRIGGER IF NOT EXISTS audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
        BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only: DELETE refused'); END;
    CREATE TRIGGER IF NOT EXISTS audit_meta_no_update BEFORE UPDATE ON audit_meta
        BEGIN SELECT RAISE(ABORT, 'audit_meta is append-only: UPDATE refused'); END;
    CREATE TRIGGER IF NOT EXISTS audit_meta_no_delete BEFORE DELETE ON audit_meta
        BEGIN SELECT RAISE(ABORT, 'audit_meta is append-only: DELETE refused'); END;
    """

    static let checkpointColumns = "sequence, log_id, head_hash, merkle_root, created_at, key_id, algorithm, signature"
}
