import Storage

/// The sales service's read model, by version: what it needs of every confirmed order, from events only.
public enum SalesMigrations {
    public static let all: [Migration] = [
        Migration(version: 1, name: "sold orders and lines") { _ in
            [
                """
                CREATE TABLE sales_orders (
                    order_id TEXT PRIMARY KEY,
                    number TEXT NOT NULL,
                    customer_id TEXT NOT NULL,
                    country TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    net BIGINT NOT NULL,
                    tax BIGINT NOT NULL,
                    gross BIGINT NOT NULL,
                    confirmed_at BIGINT NOT NULL,
                    cancelled_at BIGINT,
                    delivered_at BIGINT)
                """,
                "CREATE INDEX sales_orders_confirmed ON sales_orders (confirmed_at) WHERE cancelled_at IS NULL",
                """
                CREATE TABLE sales_lines (
                    order_id TEXT NOT NULL REFERENCES sales_orders (order_id),
                    position BIGINT NOT NULL,
                    sku TEXT NOT NULL,
                    name TEXT NOT NULL,
                    quantity BIGINT NOT NULL,
                    net BIGINT NOT NULL,
                    confirmed_at BIGINT NOT NULL,
                    PRIMARY KEY (order_id, position))
                """,
                "CREATE INDEX sales_lines_confirmed ON sales_lines (confirmed_at, sku)",
                "CREATE TABLE cancelled_orders (order_id TEXT PRIMARY KEY, at BIGINT NOT NULL)",
            ]
        }
    ]
}
