import NIOCore
import SQLKit

/// SQLite's writer connection, whose statements run whatever becomes of the task that sends them.
///
/// In a cancelled task SQLiteNIO fails a statement before running it (`NIOThreadPool.runIfActive`):
/// a transaction's `ROLLBACK` among them, and the one writer connection would stay inside that
/// transaction for good, every later write failing with "cannot start a transaction within a
/// transaction". (A relay's deadline cancelled a subscriber's slow batch that way, and the subscriber
/// took no event again.) Each statement runs in a task of its own, which its sender's cancellation does
/// not reach: a transaction that has begun ends with its `COMMIT` or its `ROLLBACK`.
struct UncancelledStatements: WrappingSQLDatabase {
    let base: any SQLDatabase

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<
        Void
    > {
        base.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        let base = self.base
        try await Task { try await base.execute(sql: query, onRow) }.value
    }
}
