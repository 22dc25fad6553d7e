import Storage

/// The tables every service database has for events: outbox, inbox, delivery attempts, dead letters.
///
/// Applied under the migration key `messaging`, beside the service's own migrations.
public enum MessagingSchema {
    public static let service = "messaging"

    public static let migrations: [Migration] = [
        Migration(version: 1, name: "outbox, inbox, dead letters") { engine in
            [
                """
                CREATE TABLE outbox (
                    seq \(engine.autoIncrementPrimaryKey),
                    id TEXT NOT NULL UNIQUE,
                    source TEXT NOT NULL,
                    type TEXT NOT NULL,
                    subject TEXT,
                    time BIGINT NOT NULL,
                    data TEXT NOT NULL,
                    traceparent TEXT,
                    published_at BIGINT,
                    attempts BIGINT NOT NULL DEFAULT 0,
                    last_error TEXT)
                """,
                "CREATE INDEX outbox_unpublished ON outbox (seq) WHERE published_at IS NULL",
                """
                CREATE TABLE inbox (
                    consumer TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    received_at BIGINT NOT NULL,
                    PRIMARY KEY (consumer, event_id))
                """,
                """
                CREATE TABLE delivery_attempts (
                    consumer TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    attempts BIGINT NOT NULL,
                    last_error TEXT NOT NULL,
                    PRIMARY KEY (consumer, event_id))
                """,
                """
                CREATE TABLE dead_letters (
                    seq \(engine.autoIncrementPrimaryKey),
                    consumer TEXT NOT NULL,
                    event_id TEXT NOT NULL,
                    type TEXT NOT NULL,
                    envelope TEXT NOT NULL,
                    error TEXT NOT NULL,
                    attempts BIGINT NOT NULL,
                    failed_at BIGINT NOT NULL,
                    redriven_at BIGINT)
                """,
            ]
        },
        Migration(version: 2, name: "parked outbox rows, failure windows") { _ in
            [
                "ALTER TABLE outbox ADD COLUMN first_failed_at BIGINT",
                "ALTER TABLE outbox ADD COLUMN parked_at BIGINT",
                "ALTER TABLE delivery_attempts ADD COLUMN first_failed_at BIGINT",
            ]
        },
        Migration(version: 3, name: "outbox notifications") { engine in
            // PostgreSQL: a committed insert into the outbox (or an unparked row) notifies
            // `sprocket_outbox_<schema>`, which every replica's relay listens on. Identical
            // notifications of one transaction arrive as one, at commit. SQLite has one process: the
            // database's in-process commit signal does it.
            guard engine == .postgres else { return [] }
            return [
                """
                CREATE OR REPLACE FUNCTION sprocket_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN PERFORM pg_notify('sprocket_outbox_' || current_schema(), ''); RETURN NULL; END $$
                """,
                """
                CREATE TRIGGER outbox_notify AFTER INSERT OR UPDATE OF parked_at ON outbox
                FOR EACH STATEMENT EXECUTE FUNCTION sprocket_outbox_notify()
                """,
            ]
        },
        Migration(version: 4, name: "retention: indexes by age, autovacuum") { engine in
            // The retention sweep deletes the oldest published outbox rows and inbox ids in small batches;
            // on PostgreSQL, autovacuum then visits these tables after 2 % of their rows changed (not 20 %),
            // so the space of deleted rows is reused and the tables stay flat.
            var statements = [
                "CREATE INDEX outbox_published ON outbox (published_at) WHERE published_at IS NOT NULL",
                "CREATE INDEX inbox_received ON inbox (received_at)",
            ]
            if engine == .postgres {
                statements += ["outbox", "inbox"].map { Self.frequentAutovacuum(table: $0) }
            }
            return statements
        },
        Migration(version: 5, name: "outbox: event schema versions") { _ in
            // Expand only: the release before writes no version, and its rows are version 1.
            ["ALTER TABLE outbox ADD COLUMN schema_version BIGINT NOT NULL DEFAULT 1"]
        },
        Migration(version: 6, name: "SQLite: pending outbox rows in a table of their own") { engine in
            // SQLite only (``Outbox/pending(_:)``): a row waits to be published while its `seq` is in
            // `outbox_pending`, which triggers keep as rows come and go; the relay deletes what it
            // published, and `published_at` is no longer set. Retention then counts a row's window from
            // its event's `time`, by the index on it. One process owns a SQLite database, so no release
            // before this one writes it meanwhile.
            guard engine == .sqlite else { return [] }
            return [
                "CREATE TABLE outbox_pending (seq INTEGER PRIMARY KEY)",
                "INSERT INTO outbox_pending (seq) SELECT seq FROM outbox WHERE published_at IS NULL",
                """
                CREATE TRIGGER outbox_pending_insert AFTER INSERT ON outbox
                BEGIN INSERT INTO outbox_pending (seq) VALUES (NEW.seq); END
                """,
                """
                CREATE TRIGGER outbox_pending_delete AFTER DELETE ON outbox
                BEGIN DELETE FROM outbox_pending WHERE seq = OLD.seq; END
                """,
                "DROP INDEX outbox_unpublished",
                "DROP INDEX outbox_published",
                "CREATE INDEX outbox_time ON outbox (time)",
            ]
        },
    ]

    /// PostgreSQL: autovacuum for a table whose rows are deleted as fast as they are added.
    public static func frequentAutovacuum(table: String) -> String {
        """
        ALTER TABLE \(table) SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_threshold = 1000,
            autovacuum_vacuum_insert_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.05)
        """
    }

    /// The PostgreSQL channel the outbox of `schema` notifies on.
    public static func outboxChannel(schema: String) -> String { "sprocket_outbox_\(schema)" }
}
