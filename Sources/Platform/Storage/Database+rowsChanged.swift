import SQLKit

extension Database {
    /// Runs an `INSERT`, `UPDATE` or `DELETE` (without `RETURNING`) and answers how many rows it
    /// inserted, changed or deleted: SQLite's `changes()` on the same connection, PostgreSQL's rows
    /// returned from it as a data-modifying `WITH`. `db` is a connection of this database.
    public func rowsChanged(by statement: SQLQueryString, in db: any SQLDatabase) async throws -> Int {
        switch engine {
        case .sqlite:
            try await db.raw(statement).run()
            return try await db.raw("SELECT changes() AS n").first().map { try $0.decode(column: "n", as: Int.self) }
                ?? 0
        case .postgres:
            return try await db.raw("WITH changed AS (\(statement) RETURNING 1) SELECT count(*) AS n FROM changed")
                .first().map { try $0.decode(column: "n", as: Int.self) } ?? 0
        }
    }
}
