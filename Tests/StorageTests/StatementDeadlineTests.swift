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
        let started = ContinuousClock.now
        await #expect(throws: DatabaseError.statementDeadline(.seconds(1))) {
            try await database.transaction { db in try await db.raw("SELECT pg_sleep(5)").run() }
        }
        #expect(ContinuousClock.now - started < .seconds(4))
        // The pool goes on with a working connection.
        let one = try await database.read { db in
            try await db.raw("SELECT 1 AS one").first()?.decode(column: "one", as: Int.self)
        }
        #expect(one == 1)
        await database.close()
    }
}
