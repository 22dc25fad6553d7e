import Storage

/// The catalog's schema, by version.
enum CatalogMigrations {
    static let service = "catalog"

    static let all: [Migration] = [
        Migration(version: 1, name: "parts and bundle components") { _ in
            [
                """
                CREATE TABLE parts (
                    sku TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    description TEXT NOT NULL,
                    price_minor BIGINT NOT NULL,
                    currency TEXT NOT NULL,
                    status TEXT NOT NULL,
                    weight_grams BIGINT,
                    attributes TEXT NOT NULL,
                    search_text TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    version BIGINT NOT NULL)
                """,
                "CREATE INDEX parts_status_sku ON parts (status, sku)",
                """
                CREATE TABLE part_components (
                    bundle_sku TEXT NOT NULL REFERENCES parts (sku),
                    component_sku TEXT NOT NULL REFERENCES parts (sku),
                    quantity BIGINT NOT NULL,
                    position BIGINT NOT NULL,
                    PRIMARY KEY (bundle_sku, component_sku))
                """,
                "CREATE INDEX part_components_component ON part_components (component_sku)",
            ]
        }
    ]
}
