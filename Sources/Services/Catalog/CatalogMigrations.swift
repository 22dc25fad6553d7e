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
        Migration(version: 4, name: "trigram index for part search") { engine in
            switch engine {
            case .sqlite:
                // A contentless FTS5 table of trigrams, row for row with `parts` by rowid, kept by triggers;
                // without positions (`detail = none`: 2.5 times faster to build), so a word is looked up
                // as all of its trigrams. It only narrows the candidates: the search still checks
                // `search_text LIKE` on each. (SQLite renumbers such rowids only on VACUUM, which
                // Sprocket never runs.)
                return [
                    """
                    CREATE VIRTUAL TABLE parts_search USING fts5(
                        search_text, content = '', contentless_delete = 1, detail = none, tokenize = 'trigram')
                    """,
                    "INSERT INTO parts_search (rowid, search_text) SELECT rowid, search_text FROM parts",
                    """
                    CREATE TRIGGER parts_search_insert AFTER INSERT ON parts BEGIN
                        INSERT INTO parts_search (rowid, search_text) VALUES (new.rowid, new.search_text);
                    END
                    """,
                    """
                    CREATE TRIGGER parts_search_update AFTER UPDATE OF search_text ON parts
                    WHEN old.search_text IS NOT new.search_text BEGIN
                        DELETE FROM parts_search WHERE rowid = old.rowid;
                        INSERT INTO parts_search (rowid, search_text) VALUES (new.rowid, new.search_text);
                    END
                    """,
                    """
                    CREATE TRIGGER parts_search_delete AFTER DELETE ON parts BEGIN
                        DELETE FROM parts_search WHERE rowid = old.rowid;
                    END
                    """,
                ]
            case .postgres:
                // pg_trgm ships with PostgreSQL and is a trusted extension (a database owner may create it).
                // It goes to `public` (shared by every service schema of the database) or, failing that,
                // to the service's schema; where it cannot be created at all, search scans as before.
                return [
                    """
                    DO $$
                    DECLARE home TEXT;
                    BEGIN
                        IF NOT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
                            BEGIN
                                CREATE EXTENSION pg_trgm WITH SCHEMA public;
                            EXCEPTION WHEN OTHERS THEN
                                BEGIN
                                    CREATE EXTENSION pg_trgm;
                                EXCEPTION WHEN OTHERS THEN
                                    RAISE NOTICE 'pg_trgm is not available: part search scans';
                                END;
                            END;
                        END IF;
                        SELECT n.nspname INTO home FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
                        WHERE e.extname = 'pg_trgm';
                        IF home IS NOT NULL THEN
                            EXECUTE format(
                                'CREATE INDEX parts_search_trigrams ON parts USING gin (search_text %I.gin_trgm_ops)',
                                home);
                        END IF;
                    END $$
                    """
                ]
            }
        },
        Migration(version: 5, name: "hash indexes for a fit page's probes") { engine in
            // A fit page looks up each of the model's few hundred fitted parts twice by SKU: in the kits'
            // recipes (is it a component?) and, with `q=`, in the parts (its words). A B-tree probe reads
            // three pages (root, inner, leaf), a hash probe one bucket: at a million parts the statement's
            // pages fall by half, and p99 with `q=` by about 1.5 ms (BENCHMARKS.md, sixth pass). Every
            // lookup of `component_sku` is an equality, so its B-tree goes. SQLite has no hash index (and
            // meets the goal with its B-trees).
            switch engine {
            case .sqlite: return []
            case .postgres:
                return [
                    "CREATE INDEX parts_sku_hash ON parts USING hash (sku)",
                    "CREATE INDEX part_components_component_hash ON part_components USING hash (component_sku)",
                    "DROP INDEX part_components_component",
                ]
            }
        },
        Migration(version: 6, name: "fitments checked by their writers, not by foreign keys") { engine in
            // Parts and models are never deleted, and both writers of fitments check that the part and
            // the model exist (`fit` reads them, an import looks up each batch's parts and models), so
            // the foreign keys only checked again what was checked. On PostgreSQL that check is a
            // trigger per row and key, locking the part's and the model's rows: about half of a
            // five-million-row fitments import (BENCHMARKS.md, sixth pass). SQLite never checked them
            // (a connection must turn foreign keys on, and Sprocket's do not): both engines now rely on
            // the same checks.
            switch engine {
            case .sqlite: return []
            case .postgres:
                return [
                    "ALTER TABLE fitments DROP CONSTRAINT IF EXISTS fitments_model_id_fkey",
                    "ALTER TABLE fitments DROP CONSTRAINT IF EXISTS fitments_sku_fkey",
                ]
            }
        },
    ]
}
