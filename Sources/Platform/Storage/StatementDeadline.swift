import Logging
import NIOCore
import PostgresNIO
import SQLKit
import Synchronization

/// A PostgreSQL connection's statements, each with a deadline.
///
/// A statement that has no answer after `limit` fails with ``DatabaseError/statementDeadline(_:)``,
/// and its connection is closed, so that the pool replaces it instead of leasing a hung one again.
/// (postgres-nio 1.33 can leave a query on a connection the server closed waiting forever: after a
/// PostgreSQL restart, the outbox relay's `ROLLBACK` did, and the relay stopped for good.)
struct StatementDeadline: WrappingSQLDatabase {
    let base: any SQLDatabase
    let connection: PostgresConnection
    let limit: Duration

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<
        Void
    > {
        // A statement sent on a connection that is already closed could wait forever (see above).
        guard !connection.isClosed else { return eventLoop.makeFailedFuture(DatabaseError.connectionLost) }
        let promise = eventLoop.makePromise(of: Void.self)
        let settled = Atomic<Bool>(false)
        let connection = self.connection
        let limit = self.limit
        let timer = eventLoop.scheduleTask(
            in: .nanoseconds(
                Int64(limit.components.seconds) * 1_000_000_000 + limit.components.attoseconds / 1_000_000_000)
        ) {
            guard !settled.exchange(true, ordering: .acquiringAndReleasing) else { return }
            promise.fail(DatabaseError.statementDeadline(limit))
            connection.close().whenComplete { _ in }
        }
        run(query, onRow).whenComplete { result in
            timer.cancel()
            guard !settled.exchange(true, ordering: .acquiringAndReleasing) else { return }
            promise.completeWith(result)
        }
        return promise.futureResult
    }

    /// The statement on the connection, its rows decoded by ``PostgresPlainRow``; left to PostgresKit when
    /// a bind is not directly encodable.
    private func run(_ query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<
        Void
    > {
        let (sql, binds) = base.serialize(query)
        guard let bindings = PostgresBindings.plain(binds) else { return base.execute(sql: query, onRow) }
        return connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger) { row in
            onRow(PostgresPlainRow(row))
        }.map { _ in }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await execute(sql: query, onRow).get()
    }
}

extension Database {
    /// Whether `error` says the database could not be reached or its connection was lost (a 503 for
    /// the client, who may retry), rather than that a statement was refused.
    public static func isUnavailable(_ error: any Error) -> Bool {
        if DatabaseError.isConnectionLost(error) { return true }
        guard let postgres = error as? PSQLError else { return false }
        // 57P01-57P03: the server is shutting down or starting up.
        if let state = postgres.serverInfo?[.sqlState], state.hasPrefix("57P") { return true }
        return false
    }
}

extension DatabaseError {
    /// Whether `error` says the connection is gone (closed by the server, broken, or given up on after a
    /// statement deadline): the server has rolled back whatever was open, and nothing more can be sent.
    static func isConnectionLost(_ error: any Error) -> Bool {
        switch error as? DatabaseError {
        case .statementDeadline, .connectionLost: return true
        default: break
        }
        guard let postgres = error as? PSQLError else { return false }
        return [.serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown, .poolClosed]
            .contains(postgres.code)
    }
}
