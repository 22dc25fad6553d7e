import SQLKit
import Storage
import Testing
import TestSupport

@Suite("Statements whose plans are kept per connection")
struct PreparedPlansTests {
    private let notesTable = Migration(version: 1, name: "notes") { _ in
        ["CREATE TABLE notes (id BIGINT PRIMARY KEY, body TEXT NOT NULL)"]
    }

    private func ids(_ rows: [any SQLRow]) throws -> [Int] {
        try rows.map { try $0.decode(column: "id", as: Int.self) }
    }

    @Test(arguments: Engine.allCases)
    func aStatementRunAgainAndAgainGivesWhatThePlainOneGives(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            try await database.migrate(service: "test", [notesTable], logger: TestDatabase.logger)
            try await database.transaction { db in
                try await db.raw(
                    "INSERT INTO notes VALUES (1, \(bind: "it's")), (2, \(bind: #"back\slash 100%"#)), (3, 'plain')"
                ).run()
            }
            try await database.read { db in
                // Past PostgreSQL's five custom plans, on one connection: the plan is kept from then on.
                for _ in 0..<8 {
                    let rows = try await database.rowsReusingPlan(
                        "SELECT id, body FROM notes WHERE body <> \(bind: "plain") AND id >= \(bind: 1) ORDER BY id LIMIT \(bind: 10)",
                        in: db)
                    #expect(try ids(rows) == [1, 2])
                    #expect(
                        try rows.map { try $0.decode(column: "body", as: String.self) } == [
                            "it's", #"back\slash 100%"#,
                        ])
                }
                if engine == .postgres {
                    let kept = try #require(
                        try await db.raw(
                            """
                            SELECT count(*) AS statements, CAST(sum(generic_plans + custom_plans) AS BIGINT) AS runs,
                                CAST(sum(generic_plans) AS BIGINT) AS generic FROM pg_prepared_statements WHERE name LIKE 'plan\\_%'
                            """
                        ).first())
                    #expect(try kept.decode(column: "statements", as: Int.self) == 1)
                    #expect(try kept.decode(column: "runs", as: Int.self) == 8)
                    #expect(try kept.decode(column: "generic", as: Int.self) >= 1)
                }
            }
            // Values are written as literals: a quote cannot end one early, a backslash and LIKE's signs are
            // themselves, and a value that cannot be written (nil) runs the plain statement.
            try await database.read { db in
                func matching(_ body: String?) async throws -> [Int] {
                    try ids(
                        try await database.rowsReusingPlan(
                            "SELECT id FROM notes WHERE body = \(bind: body) ORDER BY id", in: db))
                }
                #expect(try await matching("it's") == [1])
                #expect(try await matching("x' OR '1' = '1") == [])
                #expect(try await matching(#"\' OR true --"#) == [])  // a backslash escapes nothing
                #expect(try await matching(#"back\slash 100%"#) == [2])
                #expect(try await matching(nil) == [])
                let like = try await database.rowsReusingPlan(
                    "SELECT id FROM notes WHERE body LIKE \(bind: "%100\\%") ESCAPE '\\' ORDER BY id", in: db)
                #expect(try ids(like) == [2])
            }
        }
    }
}
