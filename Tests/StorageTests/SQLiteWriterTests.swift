import Foundation
import Logging
import SQLKit
import Synchronization
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
    private static func withWriter(
        backgroundPatience: Duration = .milliseconds(10), _ body: (SQLiteWriter, SQLiteHandle) async throws -> Void
    ) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("writer.sqlite").path
        let handle = try SQLiteHandle(path: path)
        try handle.run("PRAGMA journal_mode=WAL", []) { _ in }
        try handle.run("CREATE TABLE t (name TEXT PRIMARY KEY)", []) { _ in }
        let writer = SQLiteWriter(
            handle: handle, name: "writer", logger: logger, backgroundPatience: backgroundPatience)
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

    /// The transactions in the order they ran, each with what another connection saw committed then.
    private final class Ran: Sendable {
        let list = Mutex<[(String, [String])]>([])
    }

    /// Inserts `name` in a transaction of `priority`, noting it in `ran`.
    private static func insert(
        _ writer: SQLiteWriter, _ name: String, _ priority: WritePriority, ran: Ran, reader: SQLiteHandle
    ) -> Task<Void, any Error> {
        Task {
            try await WritePriority.$current.withValue(priority) {
                try await writer.transaction { db in
                    let committed = try Self.names(reader)
                    ran.list.withLock { $0.append((name, committed)) }
                    try await db.raw("INSERT INTO t (name) VALUES (\(bind: name))").run()
                }
            }
        }
    }

    /// While a request's transaction holds the writer, `queued` transactions wait for it in that order;
    /// returns the order they ran in (each with what another connection saw committed then) and the
    /// commits made.
    private static func run(
        queued: [(String, WritePriority)], backgroundPatience: Duration
    ) async throws -> (ran: [(String, [String])], commits: Int) {
        var outcome: (ran: [(String, [String])], commits: Int) = ([], 0)
        try await withWriter(backgroundPatience: backgroundPatience) { writer, reader in
            let (release, releasing) = AsyncStream<Void>.makeStream()
            let first = await holder(writer, "a", until: release)
            let ran = Ran()
            var tasks: [Task<Void, any Error>] = []
            for (name, priority) in queued {
                tasks.append(insert(writer, name, priority, ran: ran, reader: reader))
                try await waitUntil(writer, queued: tasks.count)
            }
            releasing.yield()
            try await first.value
            for task in tasks { try await task.value }
            outcome = (ran.list.withLock { $0 }, writer.commits)
        }
        return outcome
    }

    @Test func requestsGoBeforeBackgroundWorkWhichNeverJoinsTheirCommit() async throws {
        let (order, commits) = try await Self.run(
            queued: [("background", .background), ("request", .interactive)], backgroundPatience: .seconds(600))
        // The request came second and went first; the background transaction ran only after the
        // request's group (the holder's and the request's writes) had committed.
        #expect(order.map(\.0) == ["request", "background"])
        #expect(order.last?.1 == ["a", "request"])
        #expect(commits == 2)
    }

    @Test func backgroundWorkThatWaitedLongerThanItsPatienceGoesFirst() async throws {
        let (order, _) = try await Self.run(
            queued: [("request", .interactive), ("background", .background)], backgroundPatience: .zero)
        #expect(order.map(\.0) == ["background", "request"])
    }

    @Test func theLogIsCheckpointedBesideTheWriterAndStaysShort() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("log.sqlite").path
        let handle = try SQLiteHandle(path: path)
        try handle.run("PRAGMA journal_mode=WAL", []) { _ in }
        try handle.run("CREATE TABLE t (name TEXT PRIMARY KEY, filler BLOB)", []) { _ in }
        // SQLite's own automatic checkpoint off: without the checkpointer the log would only grow.
        try handle.run("PRAGMA wal_autocheckpoint=0", []) { _ in }
        let checkpointer = try SQLiteCheckpointer(path: path, limit: 20)
        handle.reportCommits(to: checkpointer)
        let writer = SQLiteWriter(handle: handle, name: "log", logger: Self.logger)
        for number in 0..<400 {
            try await writer.transaction { db in
                try await db.raw("INSERT INTO t (name, filler) VALUES (\(bind: "\(number)"), zeroblob(3000))").run()
            }
            try await Task.sleep(for: .milliseconds(1))
        }
        let log = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0
        // 400 commits of a page or more each: 1.6 MB of log had nothing moved it to the file.
        #expect(log > 0 && log < 400_000, "log of \(log) bytes")
        await writer.close()
        await checkpointer.close()
        let reader = try SQLiteHandle(path: path)
        var count = 0
        try reader.run("SELECT count(*) AS n FROM t", []) { row in
            if case .integer(let n)? = row.value("n") { count = n }
        }
        reader.close()
        #expect(count == 400)
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
