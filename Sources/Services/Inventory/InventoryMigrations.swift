import Storage

/// The inventory service's schema, by version.
enum InventoryMigrations {
    static let all: [Migration] = [
        Migration(version: 1, name: "warehouses, stock, ledger, reservations, saga state, bundle recipes") { engine in
            [
                """
                CREATE TABLE warehouses (
                    code TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    country TEXT NOT NULL,
                    region TEXT,
                    created_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE stock (
                    warehouse TEXT NOT NULL REFERENCES warehouses (code),
                    sku TEXT NOT NULL,
                    on_hand BIGINT NOT NULL,
                    reserved BIGINT NOT NULL,
                    bin TEXT,
                    reorder_point BIGINT,
                    updated_at BIGINT NOT NULL,
                    PRIMARY KEY (warehouse, sku),
                    CHECK (reserved >= 0 AND reserved <= on_hand))
                """,
                "CREATE INDEX stock_sku ON stock (sku, warehouse)",
                """
                CREATE TABLE stock_ledger (
                    seq \(engine.autoIncrementPrimaryKey),
                    warehouse TEXT NOT NULL,
                    sku TEXT NOT NULL,
                    cause TEXT NOT NULL,
                    on_hand_delta BIGINT NOT NULL,
                    reserved_delta BIGINT NOT NULL,
                    on_hand_after BIGINT NOT NULL,
                    reserved_after BIGINT NOT NULL,
                    order_id TEXT,
                    reason TEXT,
                    actor TEXT NOT NULL,
                    at BIGINT NOT NULL)
                """,
                "CREATE INDEX stock_ledger_row ON stock_ledger (warehouse, sku, seq)",
                """
                CREATE TABLE reservations (
                    order_id TEXT NOT NULL,
                    position BIGINT NOT NULL,
                    warehouse TEXT NOT NULL,
                    sku TEXT NOT NULL,
                    quantity BIGINT NOT NULL,
                    bin TEXT,
                    bundle_sku TEXT,
                    status TEXT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    PRIMARY KEY (order_id, position))
                """,
                "CREATE INDEX reservations_open ON reservations (warehouse, sku) WHERE status = 'open'",
                """
                CREATE TABLE order_outcomes (
                    order_id TEXT PRIMARY KEY,
                    outcome TEXT NOT NULL,
                    at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE catalog_items (
                    sku TEXT PRIMARY KEY,
                    kind TEXT NOT NULL,
                    version BIGINT NOT NULL)
                """,
                """
                CREATE TABLE bundle_components (
                    bundle_sku TEXT NOT NULL,
                    component_sku TEXT NOT NULL,
                    quantity BIGINT NOT NULL,
                    PRIMARY KEY (bundle_sku, component_sku))
                """,
            ]
        }
    ]
}
