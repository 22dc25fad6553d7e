import Messaging
import Storage

/// The `idempotency_keys` table a service with mutating endpoints keeps in its own database.
public enum IdempotencySchema {
    public static let service = "idempotency"

    public static let migrations: [Migration] = [
        Migration(version: 1, name: "idempotency keys") { _ in
            [
                """
                CREATE TABLE idempotency_keys (
                    scope TEXT NOT NULL,
                    key TEXT NOT NULL,
                    request_hash TEXT NOT NULL,
                    state TEXT NOT NULL,
                    status BIGINT,
                    content_type TEXT,
                    location TEXT,
                    body TEXT,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (scope, key))
                """
            ]
        },
        Migration(version: 2, name: "idempotency claim lease") { _ in
            ["ALTER TABLE idempotency_keys ADD COLUMN locked_until BIGINT"]
        },
        Migration(version: 3, name: "idempotency keys expire") { engine in
            ["CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at)"]
                + (engine == .postgres ? [MessagingSchema.frequentAutovacuum(table: "idempotency_keys")] : [])
        },
    ]
}
