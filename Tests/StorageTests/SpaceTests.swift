import Foundation
import SQLKit
import Storage
import Testing
import TestSupport

@Suite("Space given back and table sizes")
struct SpaceTests {
    @Test func aNewSQLiteFileGivesBackThePagesALargeDeleteFreed() async throws {
        try await TestDatabase.with(.sqlite) { database in
            try await database.transaction { db in
                try await db.raw("CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT NOT NULL)").run()
                try await db.raw(
                    """
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
                    INSERT INTO rows (id, body) SELECT i, printf('%.200c', 'x') FROM n
                    """
                ).run()
            }
            func pages() async throws -> Int {
                try await database.read { db in
                    try await db.raw("PRAGMA page_count").first()?.decode(column: "page_count", as: Int.self) ?? 0
                }
            }
            let full = try await pages()
            #expect(try await database.reclaimSpace() == 0)  // nothing free yet
            try await database.transaction { db in try await db.raw("DELETE FROM rows WHERE id > 1000").run() }
            #expect(try await database.reclaimSpace() > 1_000)
            #expect(try await pages() < full / 4)
            let sizes = try await database.tableSizes()
            #expect(sizes.first { $0.table == "rows" }?.rows == 1_000)
        }
    }

    @Test func postgresTablesHaveRowsAndBytes() async throws {
        try await TestDatabase.with(.postgres) { database in
            // (Migrations make the test's schema.)
            let table = Migration(version: 1, name: "rows") { _ in ["CREATE TABLE rows (id BIGINT PRIMARY KEY)"] }
            try await database.migrate(service: "space", [table], logger: TestDatabase.logger)
            try await database.transaction { db in
                try await db.raw("INSERT INTO rows SELECT generate_series(1, 50)").run()
            }
            let rows = try #require(try await database.tableSizes().first { $0.table == "rows" })
            #expect(rows.rows == 50)
            #expect((rows.bytes ?? 0) > 0)
            #expect(try await database.reclaimSpace() == 0)
        }
    }
}
