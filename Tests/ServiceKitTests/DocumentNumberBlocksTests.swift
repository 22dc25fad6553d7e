import Foundation
import SQLKit
import ServiceKit
import Storage
import Testing
import TestSupport

/// Order numbers taken ahead in blocks: never a repeat, across processes and restarts, and no hot row.
/// (60 at once: the test machine runs every suite side by side.)
@Suite("Document numbers in blocks")
struct DocumentNumberBlocksTests {
    @Test(arguments: Engine.allCases)
    func twoProcessesHandOutUniqueNumbersAndARestartOnlyLeavesAGap(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let table = Migration(version: 1, name: "numbers") { _ in
                ["CREATE TABLE numbers (year BIGINT PRIMARY KEY, last BIGINT NOT NULL)"]
            }
            try await database.migrate(service: "test", [table], logger: TestDatabase.logger)
            let now = Date()
            let year = DocumentNumber.year(of: now)
            let first = DocumentNumberBlocks(size: 7)
            let second = DocumentNumberBlocks(size: 7)
            #expect(try await first.next("SO", counters: "numbers", at: now, database: database) == "SO-\(year)-000001")
            let numbers = try await withThrowingTaskGroup(of: String.self) { group in
                for n in 0..<60 {
                    group.addTask {
                        try await (n.isMultiple(of: 2) ? first : second).next(
                            "SO", counters: "numbers", at: now, database: database)
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(Set(numbers).count == 60)
            #expect(!numbers.contains("SO-\(year)-000001"))
            // Every block taken is 7 numbers; what is handed out never runs past the counter.
            let last = try await database.read { db in
                try await db.raw("SELECT last FROM numbers").first()?.decode(column: "last", as: Int.self)
            }
            let highest = numbers.compactMap { Int($0.suffix(6)) }.max() ?? 0
            #expect(try #require(last) >= highest && (last ?? 0) % 7 == 0)
            // A restarted process starts after every block taken before: the rest of those is a gap.
            let restarted = DocumentNumberBlocks(size: 7)
            let next = try await restarted.next("SO", counters: "numbers", at: now, database: database)
            #expect(next == DocumentNumber.format("SO", year: year, number: (last ?? 0) + 1))
        }
    }
}
