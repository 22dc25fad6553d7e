import Storage

/// The customers service's schema, by version.
enum CustomersMigrations {
    static let service = "customers"

    static let all: [Migration] = [
        Migration(version: 1, name: "customers and signing keys") { _ in
            [
                """
                CREATE TABLE customers (
                    id TEXT PRIMARY KEY,
                    email TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    password_hash TEXT NOT NULL,
                    role TEXT NOT NULL,
                    created_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE signing_keys (
                    kid TEXT PRIMARY KEY,
                    private_key TEXT NOT NULL,
                    created_at BIGINT NOT NULL)
                """,
            ]
        },
        Migration(version: 2, name: "disabled accounts") { _ in
            ["ALTER TABLE customers ADD COLUMN disabled_at BIGINT"]
        },
        Migration(version: 3, name: "address books") { _ in
            [
                "ALTER TABLE customers ADD COLUMN addresses_version BIGINT NOT NULL DEFAULT 0",
                """
                CREATE TABLE customer_addresses (
                    id TEXT PRIMARY KEY,
                    customer_id TEXT NOT NULL REFERENCES customers (id),
                    label TEXT,
                    address TEXT NOT NULL,
                    default_shipping BIGINT NOT NULL,
                    default_billing BIGINT NOT NULL,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL)
                """,
                "CREATE INDEX customer_addresses_by_customer ON customer_addresses (customer_id, id)",
            ]
        },
    ]
}
