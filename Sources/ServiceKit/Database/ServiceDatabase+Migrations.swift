import Storage

extension ServiceDatabase {
    /// The runtime's own tables. Never edit a shipped step: add one.
    ///
    /// v1–v3 shipped on SQLite alone and stay literal there; PostgreSQL creates the v3 shape
    /// in v1 (`BIGINT GENERATED ALWAYS AS IDENTITY` for the outbox's sequence, `BYTEA` for bytes).
    static let runtimeMigrations: [StorageMigration] = [
        .script("servicekit-v1", sqlite: """
            CREATE TABLE kit_offsets (
                topic TEXT NOT NULL,
                partition_id INTEGER NOT NULL,
                next_offset INTEGER NOT NULL CHECK (next_offset >= 0),
                PRIMARY KEY (topic, partition_id)
            ) WITHOUT ROWID;
            CREATE TABLE kit_applied_events (event_id TEXT PRIMARY KEY NOT NULL) WITHOUT ROWID;
            CREATE TABLE kit_outbox (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                topic TEXT NOT NULL,
                key TEXT NOT NULL,
                value BLOB NOT NULL,
                headers TEXT NOT NULL
            );
            CREATE TABLE kit_counters (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL) WITHOUT ROWID;
            """,
            postgres: """
            CREATE TABLE kit_offsets (
                topic TEXT NOT NULL,
                partition_id BIGINT NOT NULL,
                next_offset BIGINT NOT NULL CHECK (next_offset >= 0),
                PRIMARY KEY (topic, partition_id)
            );
            CREATE TABLE kit_applied_events (
                event_id TEXT PRIMARY KEY NOT NULL,
                content_hash BYTEA,
                forget_after_ms BIGINT
            );
            CREATE INDEX kit_applied_events_by_expiry ON kit_applied_events (forget_after_ms)
                WHERE forget_after_ms IS NOT NULL;
            CREATE TABLE kit_event_clock (
                id BIGINT PRIMARY KEY CHECK (id = 1),
                newest_ms BIGINT NOT NULL
            );
            CREATE TABLE kit_outbox (
                seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                topic TEXT NOT NULL,
                key TEXT NOT NULL,
                value BYTEA NOT NULL,
                headers TEXT NOT NULL,
                header_bytes BYTEA
            );
            CREATE TABLE kit_outbox_failed (
                seq BIGINT PRIMARY KEY,
                topic TEXT NOT NULL,
                key TEXT NOT NULL,
                value BYTEA NOT NULL,
                headers TEXT NOT NULL,
                header_bytes BYTEA,
                reason TEXT NOT NULL,
                failed_at TEXT NOT NULL
            );
            CREATE TABLE kit_counters (name TEXT PRIMARY KEY NOT NULL, value BIGINT NOT NULL);
            """),
        // v2: applied event ids remember their content (to tell a redelivery from a different
        // event reusing an id) and when they may be forgotten (the source topic's retention
        // after the event's time: the broker cannot redeliver it after that); the stream's
        // clock (newest event time seen) decides, never the wall clock, so a replay prunes
        // alike. Ids applied before v2 have neither and are kept. Outbox rows that can never
        // be delivered move to kit_outbox_failed with the reason.
        .script("servicekit-v2", sqlite: """
            ALTER TABLE kit_applied_events ADD COLUMN content_hash BLOB;
            ALTER TABLE kit_applied_events ADD COLUMN forget_after_ms INTEGER;
            CREATE INDEX kit_applied_events_by_expiry ON kit_applied_events (forget_after_ms)
                WHERE forget_after_ms IS NOT NULL;
            CREATE TABLE kit_event_clock (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                newest_ms INTEGER NOT NULL
            );
            CREATE TABLE kit_outbox_failed (
                seq INTEGER PRIMARY KEY,
                topic TEXT NOT NULL,
                key TEXT NOT NULL,
                value BLOB NOT NULL,
                headers TEXT NOT NULL,
                reason TEXT NOT NULL,
                failed_at TEXT NOT NULL
            );
            """,
            postgres: nil),
        // v3: outbox headers as bytes (`OutboxHeaders`), not JSON text: binary header values
        // survive (a dead letter copies its source's headers), and writing them costs a loop
        // instead of a JSONEncoder per message. Rows written before keep their text.
        .script("servicekit-v3", sqlite: """
            ALTER TABLE kit_outbox ADD COLUMN header_bytes BLOB;
            ALTER TABLE kit_outbox_failed ADD COLUMN header_bytes BLOB;
            """,
            postgres: nil),
    ] + SealingLedger.migrations
}
