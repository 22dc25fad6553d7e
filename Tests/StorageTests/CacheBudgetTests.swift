import Foundation
import SQLKit
import Storage
import Testing
import TestSupport

@Suite("SQLite memory within a budget")
struct CacheBudgetTests {
    static func pragma(_ name: String, _ db: any SQLDatabase) async throws -> Int {
        try await db.raw("PRAGMA \(unsafeRaw: name)").first()?.decode(column: name, as: Int.self) ?? 0
    }

    @Test func aBudgetBoundsEveryConnectionsCacheAndMapAndTheWALIsCutBack() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("budget-\(UUID()).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        let budget = 24 << 20
        try await Database.with(.sqlite(path: path), logger: TestDatabase.logger, cacheBytes: budget) { database in
            // Readers share half the budget (three of them), the writer has the other half.
            let reader = try await database.read { db in
                (try await Self.pragma("cache_size", db), try await Self.pragma("mmap_size", db))
            }
            #expect(reader.0 == -(budget / 2 / 3 / 1024))
            #expect(reader.1 == budget / 2 / 3)
            let writer = try await database.transaction { db in
                (
                    try await Self.pragma("cache_size", db), try await Self.pragma("mmap_size", db),
                    try await Self.pragma("journal_size_limit", db)
                )
            }
            #expect(writer.0 == -(budget / 2 / 1024))
            #expect(writer.1 == budget / 2)
            #expect(writer.2 == 16 << 20)
        }
    }

    @Test func withoutABudgetLargeCatalogsKeepTheirLargeCaches() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("nobudget-\(UUID()).sqlite").path
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
        try await Database.with(.sqlite(path: path), logger: TestDatabase.logger) { database in
            let reader = try await database.read { db in try await Self.pragma("cache_size", db) }
            let writer = try await database.transaction { db in try await Self.pragma("cache_size", db) }
            #expect(reader == -65536)
            #expect(writer == -262144)
        }
    }
}
