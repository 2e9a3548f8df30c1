/// DDL of the PostgreSQL audit store, created inside one schema. Every statement is idempotent.
enum PostgresSchema {
    static func statements(schema: String) -> String {
        """
        CREATE SCHEMA IF NOT EXISTS \(schema);
        SET LOCAL search_path TO \(schema);
        CREATE TABLE IF NOT EXISTS audit_meta (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS audit_records (
            sequence            BIGINT PRIMARY KEY,
            recorded_at         BIGINT NOT NULL,
            previous_hash       BYTEA NOT NULL,
            record_hash         BYTEA NOT NULL,
            envelope_id         TEXT NOT NULL,
            type                TEXT NOT NULL,
            source              TEXT NOT NULL,
            subject             TEXT NOT NULL,
            correlation_id      TEXT NOT NULL,
            causation_id        TEXT NOT NULL,
            event_time          BIGINT NOT NULL,
            signer_key_id       TEXT,
            signer_principal    TEXT,
            verification_status TEXT NOT NULL CHECK (verification_status IN ('verified', 'rejected')),
            rejection_reason    TEXT,
            kafka_topic         TEXT NOT NULL,
            kafka_partition     INTEGER NOT NULL,
            kafka_offset        BIGINT NOT NULL,
            kafka_timestamp     BIGINT NOT NULL,
            raw_sha256          BYTEA NOT NULL,
            raw                 BYTEA NOT NULL
        );
        CREATE UNIQUE INDEX IF NOT EXISTS audit_records_envelope_id
            ON audit_records (envelope_id) WHERE envelope_id <> '';
        CREATE UNIQUE INDEX IF NOT EXISTS audit_records_kafka
            ON audit_records (kafka_topic, kafka_partition, kafka_offset);
        CREATE INDEX IF NOT EXISTS audit_records_correlation ON audit_records (correlation_id, sequence);
        CREATE INDEX IF NOT EXISTS audit_records_type ON audit_records (type, sequence);
        CREATE INDEX IF NOT EXISTS audit_records_event_time ON audit_records (event_time);
        CREATE TABLE IF NOT EXISTS audit_checkpoints (
            sequence    BIGINT PRIMARY KEY,
            log_id      TEXT NOT NULL,
            head_hash   BYTEA NOT NULL,
            merkle_root BYTEA NOT NULL,
            created_at  BIGINT NOT NULL,
            key_id      TEXT NOT NULL,
            algorithm   TEXT NOT NULL,
            signature   BYTEA NOT NULL
        );
        CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'agentmesh audit table % is append-only: % refused', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$;
        CREATE OR REPLACE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records
            FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
        CREATE OR REPLACE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
            FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
        CREATE OR REPLACE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
            FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
        CREATE OR REPLACE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
            FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
        CREATE OR REPLACE TRIGGER audit_meta_append_only BEFORE UPDATE OR DELETE ON audit_meta
            FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
        CREATE OR REPLACE TRIGGER audit_meta_no_truncate BEFORE TRUNCATE ON audit_meta
            FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
        """
    }

    /// A schema name safe to splice into SQL: lower-case letters, digits and `_`, not starting
    /// with a digit, at most 63 characters.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 63, !(48...57).contains(first) else { return false }
        return name.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 95 }
    }
}
