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
        },
        Migration(version: 2, name: "models, fitments, supersessions, categories") { _ in
            [
                """
                CREATE TABLE models (
                    id TEXT PRIMARY KEY,
                    kind TEXT NOT NULL,
                    make TEXT NOT NULL,
                    model TEXT NOT NULL,
                    variant TEXT,
                    engine TEXT,
                    year_from BIGINT,
                    year_to BIGINT,
                    model_number TEXT,
                    search_text TEXT NOT NULL,
                    created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX models_kind_make ON models (kind, make, id)",
                "CREATE INDEX models_make ON models (make, id)",
                """
                CREATE TABLE fitments (
                    model_id TEXT NOT NULL REFERENCES models (id),
                    sku TEXT NOT NULL REFERENCES parts (sku),
                    position TEXT,
                    quantity BIGINT,
                    note TEXT,
                    PRIMARY KEY (model_id, sku))
                """,
                "CREATE INDEX fitments_sku ON fitments (sku, model_id)",
                """
                CREATE TABLE supersessions (
                    sku TEXT PRIMARY KEY REFERENCES parts (sku),
                    superseded_by TEXT NOT NULL REFERENCES parts (sku),
                    at BIGINT NOT NULL)
                """,
                "CREATE INDEX supersessions_new ON supersessions (superseded_by)",
                """
                CREATE TABLE categories (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    parent_id TEXT REFERENCES categories (id),
                    parent_key TEXT NOT NULL,
                    UNIQUE (parent_key, name))
                """,
                "ALTER TABLE parts ADD COLUMN category_id TEXT REFERENCES categories (id)",
                "CREATE INDEX parts_category ON parts (category_id, sku)",
            ]
        },
        Migration(version: 3, name: "import jobs") { _ in
            [
                """
                CREATE TABLE import_jobs (
                    id TEXT PRIMARY KEY,
                    kind TEXT NOT NULL,
                    status TEXT NOT NULL,
                    rows_read BIGINT NOT NULL,
                    created BIGINT NOT NULL,
                    updated BIGINT NOT NULL,
                    unchanged BIGINT NOT NULL,
                    failed BIGINT NOT NULL,
                    errors TEXT NOT NULL,
                    file_error TEXT,
                    started_at BIGINT NOT NULL,
                    finished_at BIGINT,
                    touched_at BIGINT NOT NULL)
                """
            ]
        },
    ]
}
