import Storage

/// The fulfillment service's schema, by version.
public enum FulfillmentMigrations {
    public static let all: [Migration] = [
        Migration(version: 1, name: "packing slips, lines, numbers, part names") { _ in
            [
                """
                CREATE TABLE packing_slips (
                    id TEXT PRIMARY KEY,
                    number TEXT NOT NULL UNIQUE,
                    order_id TEXT NOT NULL,
                    order_number TEXT NOT NULL,
                    customer_id TEXT NOT NULL,
                    warehouse TEXT NOT NULL,
                    status TEXT NOT NULL,
                    ship_to TEXT NOT NULL,
                    slips_in_order BIGINT NOT NULL,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    UNIQUE (order_id, warehouse))
                """,
                "CREATE INDEX packing_slips_warehouse ON packing_slips (warehouse, status, created_at, id)",
                "CREATE INDEX packing_slips_created ON packing_slips (created_at, id)",
                """
                CREATE TABLE slip_lines (
                    slip_id TEXT NOT NULL REFERENCES packing_slips (id),
                    position BIGINT NOT NULL,
                    kind TEXT NOT NULL,
                    sku TEXT NOT NULL,
                    name TEXT NOT NULL,
                    quantity BIGINT NOT NULL,
                    bin TEXT,
                    kit TEXT,
                    PRIMARY KEY (slip_id, position))
                """,
                "CREATE TABLE slip_numbers (year BIGINT PRIMARY KEY, last BIGINT NOT NULL)",
                """
                CREATE TABLE cancelled_orders (
                    order_id TEXT PRIMARY KEY,
                    at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE part_names (
                    sku TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    version BIGINT NOT NULL)
                """,
            ]
        }
    ]
}
