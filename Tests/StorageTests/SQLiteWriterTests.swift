import Foundation
import Logging
import SQLKit
import Testing
import TestSupport

@testable import Storage

/// SQLite's writer: transactions that queue up behind one commit with it, each undone alone when it
/// fails, each caller answered only once its writes are committed; and the connections' own statement
/// cache and reader lending.
@Suite("SQLite writer, group commit and statements")
struct SQLiteWriterTests {
    private static let logger = Logger(label: "test")

    /// A writer on a new file with table `t`, and a reader on the same file.
    private static func withWriter(_ body: (SQLiteWriter, SQLiteHandle) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("writer.sqlite").path
        let handle = try SQLiteHandle(path: path)
        try handle.run("PRAGMA journal_mode=WAL", []) { _ in }
        try handle.run("CREATE TABLE t (name TEXT PRIMARY KEY)", []) { _ in }
        let writer = SQLiteWriter(handle: handle, name: "writer", logger: logger)
        let reader = try SQLiteHandle(path: path)
        try await body(writer, reader)
        await writer.close()
        reader.close()
    }

    private static func names(_ reader: SQLiteHandle) throws -> [String] {
        var names: [String] = []
        try reader.run("SELECT name FROM t ORDER BY name", []) { row in
            if case .text(let name)? = row.value("name") { names.append(name) }
        }
        return names
    }

    private struct Refused: Error {}

    /// Starts a transaction inserting `name` that holds the writer until `release` yields; returns once it
    /// holds it.
    private static func holder(
        _ writer: SQLiteWriter, _ name: String, until release: AsyncStream<Void>
    ) async -> Task<Void, any Error> {
        let (held, holding) = AsyncStream<Void>.makeStream()
        let task = Task {
            try await writer.transaction { db in
                try await db.raw("INSERT INTO t (name) VALUES (\(bind: name))").run()
                holding.yield()
                for await _ in release { break }
            }
        }
        for await _ in held { break }
        return task
    }

    private static func waitUntil(_ writer: SQLiteWriter, queued: Int) async throws {
        while writer.waiting < queued { try await Task.sleep(for: .milliseconds(1)) }
    }

    @Test func transactionsThatQueueUpCommitTogetherAndAFailureUndoesOnlyItsOwn() async throws {
        try await Self.withWriter { writer, reader in
            let (release, releasing) = AsyncStream<Void>.makeStream()
            let first = await Self.holder(writer, "a", until: release)
            var others: [Task<Void, any Error>] = []
            for name in ["b", "c", "d"] {
                others.append(
                    Task {
                        try await writer.transaction { db in
                            try await db.raw("INSERT INTO t (name) VALUES (\(bind: name))").run()
                            if name == "c" { throw Refused() }
                        }
                        // Answered only once committed: another connection sees the row.
                        #expect(try Self.names(reader).contains(name))
                    })
                try await Self.waitUntil(writer, queued: others.count)
            }
            #expect(try Self.names(reader).isEmpty)
            releasing.yield()
            try await first.value
            try await others[0].value
            await #expect(throws: Refused.self) { try await others[1].value }
            try await others[2].value
            #expect(try Self.names(reader) == ["a", "b", "d"])
            #expect(writer.commits == 1)

            // Alone, a transaction commits by itself.
            try await writer.transaction { db in try await db.raw("INSERT INTO t (name) VALUES ('e')").run() }
            #expect(writer.commits == 2)
        }
    }

    @Test func whenSQLiteRollsTheTransactionBackTheWholeGroupFails() async throws {
        try await Self.withWriter { writer, reader in
            let (release, releasing) = AsyncStream<Void>.makeStream()
            let first = await Self.holder(writer, "a", until: release)
            let second = Task {
                try await writer.transaction { db in try await db.raw("INSERT INTO t (name) VALUES ('b')").run() }
            }
            try await Self.waitUntil(writer, queued: 1)
            let third = Task {
                try await writer.transaction { db in
                    try await db.raw("ROLLBACK").run()  // as SQLite itself does after some errors
                    throw Refused()
                }
            }
            try await Self.waitUntil(writer, queued: 2)
            releasing.yield()
            for task in [first, second, third] {
                await #expect(throws: Refused.self) { try await task.value }
            }
            #expect(try Self.names(reader).isEmpty)

            // The writer goes on.
            try await writer.transaction { db in try await db.raw("INSERT INTO t (name) VALUES ('d')").run() }
            #expect(try Self.names(reader) == ["d"])
        }
    }

    @Test func aClosedWriterCommitsWhatItHoldsAndRefusesLaterTransactions() async throws {
        try await Self.withWriter { writer, reader in
            let (release, releasing) = AsyncStream<Void>.makeStream()
            let first = await Self.holder(writer, "a", until: release)
            let closing = Task { await writer.close() }
            try await Self.waitUntil(writer, queued: 1)
            releasing.yield()
            try await first.value
            await closing.value
            #expect(try Self.names(reader) == ["a"])
            await #expect(throws: SQLiteFailure.self) {
                try await writer.transaction { db in try await db.raw("INSERT INTO t (name) VALUES ('b')").run() }
            }
        }
    }

    @Test func cachedStatementsSeeSchemaChangesAndTheCacheStartsAgainWhenFull() async throws {
        try await Self.withWriter { writer, reader in
            try await writer.transaction { db in try await db.raw("INSERT INTO t (name) VALUES ('a')").run() }
            var columns: [String] = []
            try reader.run("SELECT * FROM t", []) { columns = $0.columns.names }
            #expect(columns == ["name"])
            try await writer.transaction { db in try await db.raw("ALTER TABLE t ADD COLUMN n INTEGER").run() }
            try reader.run("SELECT * FROM t", []) { columns = $0.columns.names }
            #expect(columns == ["name", "n"])
            for n in 0...SQLiteHandle.statementCacheSize {
                var seen: Int?
                try reader.run("SELECT \(n) AS n", []) { row in
                    if case .integer(let value)? = row.value("n") { seen = value }
                }
                #expect(seen == n)
            }
        }
    }

    @Test func errorsNameTheirCodeAndUniqueViolationsAreKnown() async throws {
        try await Self.withWriter { writer, _ in
            try await writer.transaction { db in try await db.raw("INSERT INTO t (name) VALUES ('a')").run() }
            let error = await #expect(throws: SQLiteFailure.self) {
                try await writer.transaction { db in try await db.raw("INSERT INTO t (name) VALUES ('a')").run() }
            }
            #expect(error?.isUniqueViolation == true)
            #expect(Database.isUniqueViolation(error ?? SQLiteFailure(code: 0, message: "")))
            let syntax = await #expect(throws: SQLiteFailure.self) {
                try await writer.transaction { db in try await db.raw("SELEC 1").run() }
            }
            #expect(syntax?.isUniqueViolation == false)
            #expect(syntax?.description.contains("syntax error") == true)
        }
    }

    @Test func readersAreLentOneAtATimeUpToTheLimit() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("readers.sqlite").path
        let readers = try SQLiteReaders(limit: 2) { try SQLiteHandle(path: path) }
        let one = try await readers.checkOut()
        let two = try await readers.checkOut()
        #expect(one !== two)
        let third = Task { try await readers.checkOut() }
        try await Task.sleep(for: .milliseconds(20))
        readers.checkIn(two)
        #expect(try await third.value === two)
        readers.checkIn(one)
        readers.close()
        await #expect(throws: SQLiteFailure.self) { try await readers.checkOut() }
    }
}
