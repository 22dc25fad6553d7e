import Foundation
import SQLKit

/// One table's size, for `sprocket reconcile`.
public struct TableSize: Sendable, Equatable {
    public let table: String
    public let rows: Int
    /// Bytes on disk with its indexes, where the engine says (PostgreSQL; SQLite with `dbstat`).
    public let bytes: Int?
}

extension Database {
    /// SQLite: gives the file's free pages back to the file system when they are more than a quarter of
    /// it and more than 1,000 pages (after a large delete; in steady state freed pages are reused and
    /// the file stays flat). Only a file made with `auto_vacuum=INCREMENTAL` can; returns the pages given
    /// back. PostgreSQL: nothing (autovacuum makes deleted rows' space reusable).
    @discardableResult
    public func reclaimSpace() async throws -> Int {
        guard engine == .sqlite else { return 0 }
        func pragma(_ name: String, _ db: any SQLDatabase) async throws -> Int {
            try await db.raw("PRAGMA \(unsafeRaw: name)").first()?.decode(column: name, as: Int.self) ?? 0
        }
        let (mode, free, pages) = try await read { db in
            (
                try await pragma("auto_vacuum", db), try await pragma("freelist_count", db),
                try await pragma("page_count", db)
            )
        }
        guard mode == 2, free > 1_000, free * 4 > pages else { return 0 }
        try await transaction(signalling: false) { db in
            _ = try await db.raw("PRAGMA incremental_vacuum(\(unsafeRaw: String(free)))").all()
        }
        return free
    }

    /// Every table of this database (or schema) with its rows and, where the engine tells, its bytes.
    public func tableSizes() async throws -> [TableSize] {
        try await read { db in
            switch engine {
            case .sqlite:
                let names = try await db.raw(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
                ).all().map { try $0.decode(column: "name", as: String.self) }
                var sizes: [TableSize] = []
                for name in names {
                    let rows =
                        try await db.raw("SELECT count(*) AS n FROM \(ident: name)").first()?
                        .decode(column: "n", as: Int.self) ?? 0
                    // `dbstat` is there when SQLite was built with it; the size is then the table's and its
                    // indexes' pages.
                    let bytes = try? await db.raw(
                        """
                        SELECT sum(pgsize) AS bytes FROM dbstat WHERE name = \(bind: name)
                            OR name IN (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = \(bind: name))
                        """
                    ).first()?.decode(column: "bytes", as: Int?.self)
                    sizes.append(TableSize(table: name, rows: rows, bytes: bytes ?? nil))
                }
                return sizes
            case .postgres:
                let tables = try await db.raw(
                    """
                    SELECT c.relname AS name, pg_total_relation_size(c.oid) AS bytes
                    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE c.relkind = 'r' AND n.nspname = current_schema() ORDER BY c.relname
                    """
                ).all().map {
                    (try $0.decode(column: "name", as: String.self), try $0.decode(column: "bytes", as: Int.self))
                }
                var sizes: [TableSize] = []
                for (name, bytes) in tables {
                    let rows =
                        try await db.raw("SELECT count(*) AS n FROM \(ident: name)").first()?
                        .decode(column: "n", as: Int.self) ?? 0
                    sizes.append(TableSize(table: name, rows: rows, bytes: bytes))
                }
                return sizes
            }
        }
    }
}
