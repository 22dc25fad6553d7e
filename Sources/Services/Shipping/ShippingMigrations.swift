import Storage

/// The shipping service's schema, by version.
public enum ShippingMigrations {
    public static let all: [Migration] = [
        Migration(version: 1, name: "packed slips, shipments, tracking events") { _ in
            [
                """
                CREATE TABLE packed_slips (
                    slip_id TEXT PRIMARY KEY,
                    number TEXT NOT NULL,
                    order_id TEXT NOT NULL,
                    order_number TEXT NOT NULL,
                    customer_id TEXT NOT NULL,
                    warehouse TEXT NOT NULL,
                    slips_in_order BIGINT NOT NULL,
                    items TEXT NOT NULL,
                    state TEXT NOT NULL,
                    updated_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE shipments (
                    id TEXT PRIMARY KEY,
                    slip_id TEXT NOT NULL UNIQUE REFERENCES packed_slips (slip_id),
                    order_id TEXT NOT NULL,
                    customer_id TEXT NOT NULL,
                    carrier TEXT NOT NULL,
                    carrier_key TEXT NOT NULL,
                    tracking_number TEXT NOT NULL,
                    status TEXT NOT NULL,
                    shipped_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL)
                """,
                "CREATE UNIQUE INDEX shipments_tracking ON shipments (carrier_key, tracking_number)",
                "CREATE INDEX shipments_order ON shipments (order_id)",
                "CREATE INDEX shipments_customer ON shipments (customer_id, shipped_at, id)",
                "CREATE INDEX shipments_shipped ON shipments (shipped_at, id)",
                """
                CREATE TABLE tracking_events (
                    shipment_id TEXT NOT NULL REFERENCES shipments (id),
                    seq BIGINT NOT NULL,
                    status TEXT NOT NULL,
                    at BIGINT NOT NULL,
                    location TEXT,
                    recorded_at BIGINT NOT NULL,
                    actor TEXT NOT NULL,
                    PRIMARY KEY (shipment_id, seq))
                """,
            ]
        }
    ]
}
