import Storage

/// The billing service's schema, by version.
public enum BillingMigrations {
    public static let all: [Migration] = [
        Migration(version: 1, name: "invoices, lines, payments, credit notes, numbers") { _ in
            [
                """
                CREATE TABLE invoices (
                    id TEXT PRIMARY KEY,
                    number TEXT NOT NULL UNIQUE,
                    order_id TEXT NOT NULL UNIQUE,
                    order_number TEXT NOT NULL,
                    customer_id TEXT NOT NULL,
                    issued_at BIGINT NOT NULL,
                    currency TEXT NOT NULL,
                    seller TEXT NOT NULL,
                    buyer TEXT NOT NULL,
                    net BIGINT NOT NULL,
                    tax BIGINT NOT NULL,
                    gross BIGINT NOT NULL,
                    paid BIGINT NOT NULL,
                    status TEXT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    CHECK (paid >= 0 AND paid <= gross))
                """,
                "CREATE INDEX invoices_issued ON invoices (issued_at, id)",
                "CREATE INDEX invoices_customer ON invoices (customer_id, issued_at, id)",
                "CREATE INDEX invoices_status ON invoices (status, issued_at)",
                """
                CREATE TABLE invoice_lines (
                    invoice_id TEXT NOT NULL REFERENCES invoices (id),
                    position BIGINT NOT NULL,
                    sku TEXT NOT NULL,
                    name TEXT NOT NULL,
                    quantity BIGINT NOT NULL,
                    unit_price BIGINT NOT NULL,
                    net BIGINT NOT NULL,
                    tax_rate_bp BIGINT NOT NULL,
                    tax BIGINT NOT NULL,
                    gross BIGINT NOT NULL,
                    PRIMARY KEY (invoice_id, position))
                """,
                """
                CREATE TABLE payments (
                    id TEXT PRIMARY KEY,
                    invoice_id TEXT NOT NULL REFERENCES invoices (id),
                    amount BIGINT NOT NULL,
                    method TEXT NOT NULL,
                    reference TEXT NOT NULL,
                    at BIGINT NOT NULL,
                    recorded_at BIGINT NOT NULL,
                    actor TEXT NOT NULL)
                """,
                "CREATE INDEX payments_invoice ON payments (invoice_id, recorded_at)",
                """
                CREATE TABLE credit_notes (
                    id TEXT PRIMARY KEY,
                    number TEXT NOT NULL UNIQUE,
                    invoice_id TEXT NOT NULL UNIQUE REFERENCES invoices (id),
                    issued_at BIGINT NOT NULL,
                    net BIGINT NOT NULL,
                    tax BIGINT NOT NULL,
                    gross BIGINT NOT NULL,
                    reason TEXT)
                """,
                "CREATE TABLE invoice_numbers (year BIGINT PRIMARY KEY, last BIGINT NOT NULL)",
                "CREATE TABLE credit_note_numbers (year BIGINT PRIMARY KEY, last BIGINT NOT NULL)",
                "CREATE TABLE cancelled_orders (order_id TEXT PRIMARY KEY, at BIGINT NOT NULL)",
            ]
        }
    ]
}
