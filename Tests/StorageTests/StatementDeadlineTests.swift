import Foundation
import SQLKit
import Storage
import Testing
import TestSupport

@Suite("PostgreSQL statements have a deadline")
struct StatementDeadlineTests {
    @Test func aStatementWithoutAnAnswerInTimeFailsAndItsConnectionIsReplaced() async throws {
        let location = try DatabaseLocation(parsing: try TestDatabase.postgresURL())
        let database = try await Database.open(location, logger: TestDatabase.logger, statementDeadline: .seconds(1))
        // Connected first, so that only the statement is timed. Without its deadline it would take 30 s;
        // 15 s leaves a busy CI machine room (a 4 s bound against a 5 s sleep failed once under load).
        _ = try await database.read { db in try await db.raw("SELECT 1 AS one").first() }
        let started = ContinuousClock.now
        await #expect(throws: DatabaseError.statementDeadline(.seconds(1))) {
            try await database.transaction { db in try await db.raw("SELECT pg_sleep(30)").run() }
        }
        #expect(ContinuousClock.now - started < .seconds(15))
        // The pool goes on with a working connection.
        let one = try await database.read { db in
            try await db.raw("SELECT 1 AS one").first()?.decode(column: "one", as: Int.self)
        }
        #expect(one == 1)
        await database.close()
    }
}
