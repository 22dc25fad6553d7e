import Storage

/// The orders service's schema, by version.
enum OrdersMigrations {
    static let service = "orders"

    static let all: [Migration] = [
        Migration(version: 1, name: "orders, lines, history, numbers, replicas") { _ in
            [
                """
                CREATE TABLE orders (
                    id TEXT PRIMARY KEY,
                    number TEXT NOT NULL UNIQUE,
                    customer_id TEXT NOT NULL,
                    status TEXT NOT NULL,
                    shipping_city_key TEXT NOT NULL,
                    shipping_country TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    subtotal_minor BIGINT NOT NULL,
                    tax_minor BIGINT NOT NULL,
                    tax_rate_bp BIGINT NOT NULL,
                    total_minor BIGINT NOT NULL,
                    shipping_address TEXT NOT NULL,
                    billing_address TEXT NOT NULL,
                    idempotency_key TEXT,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    version BIGINT NOT NULL,
                    UNIQUE (customer_id, idempotency_key))
                """,
                "CREATE INDEX orders_created ON orders (created_at, id)",
                "CREATE INDEX orders_customer_created ON orders (customer_id, created_at, id)",
                "CREATE INDEX orders_status_created ON orders (status, created_at, id)",
                "CREATE INDEX orders_city_created ON orders (shipping_city_key, created_at, id)",
                "CREATE INDEX orders_country_created ON orders (shipping_country, created_at, id)",
                """
                CREATE TABLE order_lines (
                    order_id TEXT NOT NULL REFERENCES orders (id),
                    position BIGINT NOT NULL,
                    sku TEXT NOT NULL,
                    name TEXT NOT NULL,
                    quantity BIGINT NOT NULL,
                    unit_price_minor BIGINT NOT NULL,
                    line_total_minor BIGINT NOT NULL,
                    PRIMARY KEY (order_id, position))
                """,
                """
                CREATE TABLE order_history (
                    order_id TEXT NOT NULL REFERENCES orders (id),
                    seq BIGINT NOT NULL,
                    from_status TEXT,
                    to_status TEXT NOT NULL,
                    at BIGINT NOT NULL,
                    actor TEXT NOT NULL,
                    reason TEXT,
                    PRIMARY KEY (order_id, seq))
                """,
                "CREATE TABLE order_numbers (year BIGINT PRIMARY KEY, last BIGINT NOT NULL)",
                """
                CREATE TABLE catalog_replica (
                    sku TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    price_minor BIGINT NOT NULL,
                    currency TEXT NOT NULL,
                    active BIGINT NOT NULL,
                    version BIGINT NOT NULL)
                """,
                """
                CREATE TABLE customer_replica (
                    customer_id TEXT PRIMARY KEY,
                    email TEXT NOT NULL,
                    role TEXT NOT NULL,
                    registered_at BIGINT NOT NULL)
                """,
            ]
        },
        Migration(version: 2, name: "reservations from inventory") { _ in
            [
                """
                CREATE TABLE order_reservations (
                    order_id TEXT PRIMARY KEY REFERENCES orders (id),
                    allocations TEXT NOT NULL,
                    received_at BIGINT NOT NULL)
                """
            ]
        },
        Migration(version: 3, name: "packing slips and shipments of orders") { _ in
            [
                """
                CREATE TABLE order_slips (
                    slip_id TEXT PRIMARY KEY,
                    order_id TEXT NOT NULL,
                    slips_in_order BIGINT NOT NULL,
                    stage BIGINT NOT NULL,
                    shipment_id TEXT,
                    updated_at BIGINT NOT NULL)
                """,
                "CREATE INDEX order_slips_order ON order_slips (order_id)",
            ]
        },
        Migration(version: 4, name: "supersessions from the catalog") { _ in
            [
                """
                CREATE TABLE catalog_supersessions (
                    sku TEXT PRIMARY KEY,
                    superseded_by TEXT NOT NULL,
                    at BIGINT NOT NULL)
                """
            ]
        },
        Migration(version: 5, name: "default addresses from the customers' address books") { _ in
            [
                """
                CREATE TABLE customer_addresses (
                    customer_id TEXT PRIMARY KEY,
                    shipping TEXT,
                    billing TEXT,
                    version BIGINT NOT NULL)
                """
            ]
        },
    ]
}
