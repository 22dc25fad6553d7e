import Foundation
import SQLKit
import Storage
import Testing
import TestSupport

@Suite("Database on both engines")
struct DatabaseTests {
    private let counterTable = Migration(version: 1, name: "counter") { _ in
        ["CREATE TABLE counter (id TEXT PRIMARY KEY, n BIGINT NOT NULL)"]
    }

    @Test(arguments: Engine.allCases)
    func migrationsApplyOnceAndMarkReady(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            #expect(await database.isReady() == false)
            let first = try await database.migrate(service: "test", [counterTable], logger: TestDatabase.logger)
            let second = try await database.migrate(service: "test", [counterTable], logger: TestDatabase.logger)
            #expect(first == 1)
            #expect(second == 0)
            #expect(await database.isReady())
            let versions = try await database.read { db in
                try await db.raw("SELECT version FROM schema_migrations WHERE service = 'test'").all()
                    .map { try $0.decode(column: "version", as: Int.self) }
            }
            #expect(versions == [1])
        }
    }

    /// A regional replica writes nothing: it only confirms the primary applied what it needs.
    @Test func aReplicaConfirmsTheMigrationsItNeedsWithoutWriting() async throws {
        try await TestDatabase.with(.postgres) { database in
            #expect(try await database.confirmMigrated(service: "test", [counterTable]) == false)
            try await database.migrate(service: "test", [counterTable], logger: TestDatabase.logger)
            #expect(try await database.confirmMigrated(service: "test", [counterTable]))
            let newer = Migration(version: 2, name: "newer") { _ in [] }
            #expect(try await database.confirmMigrated(service: "test", [counterTable, newer]) == false)
            #expect(try await database.confirmMigrated(service: "other", [counterTable]) == false)
        }
    }

    /// A relay's deadline cancels a subscriber's batch that runs late: its transaction must still end
    /// (in SQLiteNIO a cancelled task's `ROLLBACK` never ran, and the writer stayed in the transaction).
    @Test(arguments: Engine.allCases)
    func aCancelledTaskEndsItsTransactionAndTheNextOneWrites(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            try await database.migrate(service: "test", [counterTable], logger: TestDatabase.logger)
            let (begun, signal) = AsyncStream.makeStream(of: Void.self)
            // Cancelled while it waits: the transaction throws, and is rolled back.
            let waiting = Task {
                defer { signal.finish() }
                try await database.transaction { db in
                    try await db.raw("INSERT INTO counter (id, n) VALUES ('a', 1)").run()
                    signal.yield()
                    try await Task.sleep(for: .seconds(30))
                }
            }
            for await _ in begun { break }
            waiting.cancel()
            await #expect(throws: CancellationError.self) { try await waiting.value }
            // Cancelled between statements: the statements after still run, and it commits.
            let (begunAgain, signalAgain) = AsyncStream.makeStream(of: Void.self)
            let (cancelled, signalCancelled) = AsyncStream.makeStream(of: Void.self)
            let working = Task {
                defer { signalAgain.finish() }
                try await database.transaction { db in
                    try await db.raw("INSERT INTO counter (id, n) VALUES ('b', 1)").run()
                    signalAgain.yield()
                    for await _ in cancelled { break }
                    #expect(Task.isCancelled)
                    try await db.raw("UPDATE counter SET n = 2 WHERE id = 'b'").run()
                }
            }
            for await _ in begunAgain { break }
            working.cancel()
            signalCancelled.yield()
            try await working.value
            try await database.transaction { db in
                try await db.raw("INSERT INTO counter (id, n) VALUES ('c', 3)").run()
            }
            let rows = try await database.read { db in
                try await db.raw("SELECT id, n FROM counter ORDER BY id").all().map {
                    "\(try $0.decode(column: "id", as: String.self))=\(try $0.decode(column: "n", as: Int.self))"
                }
            }
            #expect(rows == ["b=2", "c=3"])
        }
    }

    @Test(arguments: Engine.allCases)
    func aThrowingTransactionWritesNothing(engine: Engine) async throws {
        struct Boom: Error {}
        try await TestDatabase.with(engine) { database in
            try await database.migrate(service: "test", [counterTable], logger: TestDatabase.logger)
            await #expect(throws: Boom.self) {
                try await database.transaction { db in
                    try await db.raw("INSERT INTO counter (id, n) VALUES ('a', 1)").run()
                    throw Boom()
                }
            }
            let count = try await database.read { db in
                try await db.raw("SELECT COUNT(*) AS c FROM counter").first()?.decode(column: "c", as: Int.self)
            }
            #expect(count == 0)
        }
    }

    @Test(arguments: Engine.allCases)
    func rowsChangedCountsWhatAStatementWrote(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            try await database.migrate(service: "test", [counterTable], logger: TestDatabase.logger)
            let counts = try await database.transaction { db in
                [
                    try await database.rowsChanged(
                        by: "INSERT INTO counter (id, n) VALUES ('a', 1), ('b', 2), ('c', 3)", in: db),
                    try await database.rowsChanged(
                        by: "INSERT INTO counter (id, n) VALUES ('a', 1), ('d', 4) ON CONFLICT (id) DO NOTHING", in: db),
                    try await database.rowsChanged(by: "UPDATE counter SET n = 2 WHERE n <= 2", in: db),
                    try await database.rowsChanged(by: "DELETE FROM counter WHERE id = 'zz'", in: db),
                ]
            }
            #expect(counts == [3, 1, 2, 0])
        }
    }

    @Test(arguments: Engine.allCases)
    func uniqueViolationsAreRecognised(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            try await database.migrate(service: "test", [counterTable], logger: TestDatabase.logger)
            try await database.transaction { db in try await db.raw("INSERT INTO counter (id, n) VALUES ('a', 1)").run()
            }
            do {
                try await database.transaction { db in
                    try await db.raw("INSERT INTO counter (id, n) VALUES ('a', 2)").run()
                }
                Issue.record("a duplicate key was accepted")
            } catch {
                #expect(Database.isUniqueViolation(error))
            }
        }
    }

    @Test(arguments: Engine.allCases)
    func concurrentReadModifyWriteTransactionsLoseNoUpdate(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            try await database.migrate(service: "test", [counterTable], logger: TestDatabase.logger)
            try await database.transaction { db in try await db.raw("INSERT INTO counter (id, n) VALUES ('a', 0)").run()
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<40 {
                    group.addTask {
                        try await database.transaction { db in
                            try await db.raw("UPDATE counter SET n = n + 1 WHERE id = 'a'").run()
                        }
                    }
                }
                try await group.waitForAll()
            }
            let n = try await database.read { db in
                try await db.raw("SELECT n FROM counter WHERE id = 'a'").first()?.decode(column: "n", as: Int.self)
            }
            #expect(n == 40)
        }
    }

    @Test(arguments: Engine.allCases)
    func returningAndOnConflictWorkTheSame(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            try await database.migrate(service: "test", [counterTable], logger: TestDatabase.logger)
            let claims = try await database.transaction { db in
                var claims: [Bool] = []
                for _ in 0..<2 {
                    claims.append(
                        try await db.raw(
                            "INSERT INTO counter (id, n) VALUES ('k', 1) ON CONFLICT DO NOTHING RETURNING id"
                        ).first() != nil)
                }
                return claims
            }
            #expect(claims == [true, false])
        }
    }
}
