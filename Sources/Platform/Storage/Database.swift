import Foundation
import Logging
import Metrics
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit
import SQLiteKit
import ServiceLifecycle
import Synchronization

/// One service's database: a SQLite file (embedded mode) or a PostgreSQL database (distributed mode).
///
/// Stores run every statement through ``read(_:)`` or ``transaction(_:)`` and write SQL that both
/// engines accept; the few differences are named by ``Engine``. Transactions do not nest.
///
/// A `Database` owns its connections, and runs in one of two ways (``Runner``): as a service of the
/// process's service group (put it first in the list, so that it closes last), or, for commands and
/// tests, on its own until ``close()``.
public final class Database: Service, Sendable {
    /// The engine behind this database.
    public let engine: Engine
    /// Its name in metrics: the SQLite file's name without extension, or the PostgreSQL schema or database.
    public let name: String
    /// Signalled after every write transaction this process commits (the outbox relay waits on it).
    public let commits = WakeSignal()
    /// How long its plumbing rows (outbox, inbox, idempotency keys) are kept.
    public let retention: RetentionPolicy
    private let backend: Backend
    private let migrated = Atomic<Bool>(false)
    /// How long each write transaction took, waiting for the writer or a connection included.
    private var transactions: Timer {
        Timer(label: "sprocket_db_transaction_duration_seconds", dimensions: [("database", name)])
    }

    private enum Backend: Sendable {
        case sqlite(SQLiteBackend)
        case postgres(PostgresBackend)
    }

    private init(engine: Engine, name: String, backend: Backend, retention: RetentionPolicy) {
        self.engine = engine
        self.name = name
        self.backend = backend
        self.retention = retention
    }

    /// Who runs the database's connections.
    public enum Runner: Sendable {
        /// The database itself, from ``open(_:logger:runner:)`` until ``close()`` (commands, tests).
        case ownTask
        /// The service group the database is added to: its ``run()`` runs the PostgreSQL pool (queries
        /// wait until it does) and closes every connection at graceful shutdown.
        case serviceGroup
    }

    /// Opens the database at `location`. On PostgreSQL a statement without an answer after
    /// `statementDeadline` fails and its connection is replaced.
    ///
    /// `cacheBytes` bounds what a SQLite database keeps in memory (page caches and memory map, split
    /// between its connections); without it each connection may cache 64 MiB and map 1 GiB.
    /// `retention` says how long its plumbing rows are kept (the retention sweep and idempotency read it).
    public static func open(
        _ location: DatabaseLocation, logger: Logger, runner: Runner = .ownTask,
        statementDeadline: Duration = .seconds(10), cacheBytes: Int? = nil, retention: RetentionPolicy = .init()
    ) async throws -> Database {
        switch location {
        case .sqlite(let path):
            let backend = try await SQLiteBackend.open(path: path, logger: logger, cacheBytes: cacheBytes)
            let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            return Database(engine: .sqlite, name: name, backend: .sqlite(backend), retention: retention)
        case .postgres(let host, let port, let user, let password, let database, let schema):
            let backend = PostgresBackend.open(
                host: host, port: port, user: user, password: password, database: database, schema: schema,
                runsInOwnTask: runner == .ownTask, statementDeadline: statementDeadline, logger: logger
            )
            return Database(
                engine: .postgres, name: schema ?? database, backend: .postgres(backend), retention: retention)
        }
    }

    /// Runs the connections until graceful shutdown (for a database opened with `.serviceGroup`).
    public func run() async throws {
        switch backend {
        case .postgres(let postgres):
            await postgres.run()
        case .sqlite(let sqlite):
            try? await gracefulShutdown()
            await sqlite.close()
        }
    }

    /// Runs `body` with a connection for reading; statements are not grouped in a transaction. On
    /// PostgreSQL a read whose pooled connection turns out to be lost (closed by another statement's
    /// deadline or by the server just before) is run again on another connection, twice at most, after
    /// 20 and then 200 ms (the pool may lease a connection whose close it has not yet heard of once
    /// more): reading again is harmless. A read that runs out of time itself is not retried.
    public func read<T: Sendable>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        switch backend {
        case .sqlite(let sqlite):
            return try await sqlite.read(body)
        case .postgres(let postgres):
            for pause in [Duration.milliseconds(20), .milliseconds(200)] {
                do {
                    return try await postgres.withConnection(body)
                } catch  where Self.isUnavailable(error) && !Self.isDeadline(error) {
                    try await Task.sleep(for: pause)
                }
            }
            return try await postgres.withConnection(body)
        }
    }

    /// Whether `error` is a statement that ran out of time (retrying it would only wait as long again).
    static func isDeadline(_ error: any Error) -> Bool {
        if case .statementDeadline? = error as? DatabaseError { return true }
        return false
    }

    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    ///
    /// On SQLite the transaction holds the single writer (`BEGIN IMMEDIATE`), so write transactions
    /// run one at a time; on PostgreSQL each transaction has its own pooled connection.
    ///
    /// A committed transaction signals ``commits`` unless `signalling` is `false` (the outbox relay's
    /// own bookkeeping, which would otherwise wake the relay again and again).
    public func transaction<T: Sendable>(
        signalling: Bool = true, _ body: (any SQLDatabase) async throws -> T
    ) async throws -> T {
        try await transaction(statementDeadline: nil, signalling: signalling, body)
    }

    /// ``transaction(_:)`` with another deadline per PostgreSQL statement (migrations take longer).
    func transaction<T: Sendable>(
        statementDeadline: Duration?, signalling: Bool = true, _ body: (any SQLDatabase) async throws -> T
    ) async throws -> T {
        let started = ContinuousClock.now
        defer { transactions.record(duration: ContinuousClock.now - started) }
        switch backend {
        case .sqlite(let sqlite):
            let result = try await sqlite.transaction(body)
            if signalling { commits.signal() }
            return result
        case .postgres(let postgres):
            let result = try await postgres.withConnection(deadline: statementDeadline) { db in
                try await Self.inTransaction(db, begin: "BEGIN", body)
            }
            if signalling { commits.signal() }
            return result
        }
    }

    /// Runs `statement`, one statement however many tables it writes (a PostgreSQL `WITH` of inserts), as
    /// a transaction of its own, and returns once it is committed; signals ``commits`` like a transaction.
    ///
    /// On PostgreSQL it runs without `BEGIN` and `COMMIT` (a statement is atomic), followed on the same
    /// connection by `SELECT 1`: two round trips instead of three. The second is what makes it safe. A
    /// statement sent alone is answered (`CommandComplete`) before the implicit commit that ends it is
    /// durable, and a server stopped in between lost orders their clients had been told about
    /// (scripts/faults, PostgreSQL stopped under load: 2 of 1,000); the server reads the next query only
    /// after that commit, so its answer means the statement is committed. On SQLite: a write transaction.
    public func write(_ statement: SQLQueryString) async throws {
        switch backend {
        case .sqlite:
            try await transaction { db in try await db.raw(statement).run() }
        case .postgres(let postgres):
            let started = ContinuousClock.now
            defer { transactions.record(duration: ContinuousClock.now - started) }
            try await postgres.withConnection { db in
                try await db.raw(statement).run()
                _ = try await db.raw("SELECT 1 AS committed").first()
            }
            commits.signal()
        }
    }

    /// PostgreSQL: the schema the tables are in (`nil` on SQLite).
    public var schemaName: String? {
        if case .postgres(let postgres) = backend { return postgres.schemaName }
        return nil
    }

    /// PostgreSQL: listens on `channel` (on a connection of its own), calling `onNotification` for
    /// each `NOTIFY`, until the connection fails or the task is cancelled. SQLite has no notifications:
    /// this returns at once.
    public func listen(_ channel: String, _ onNotification: @Sendable () -> Void) async throws {
        if case .postgres(let postgres) = backend { try await postgres.listen(channel, onNotification) }
    }

    private static func inTransaction<T>(
        _ db: any SQLDatabase, begin: String, _ body: (any SQLDatabase) async throws -> T
    ) async throws -> T {
        try await db.raw(SQLQueryString(begin)).run()
        do {
            let result = try await body(db)
            try await db.raw("COMMIT").run()
            return result
        } catch {
            // When the connection is gone the server has rolled back already, and a statement sent on
            // it could only fail (or, with postgres-nio, wait forever).
            if !DatabaseError.isConnectionLost(error) { try? await db.raw("ROLLBACK").run() }
            throw error
        }
    }

    /// Whether the database answers and this process has applied its migrations.
    public func isReady() async -> Bool {
        guard migrated.load(ordering: .acquiring) else { return false }
        do {
            return try await read { db in try await db.raw("SELECT 1 AS one").first() != nil }
        } catch {
            return false
        }
    }

    func markMigrated() { migrated.store(true, ordering: .releasing) }

    /// Whether this process has applied its migrations.
    public var isMigrated: Bool { migrated.load(ordering: .acquiring) }

    func createSchemaIfNeeded() async throws {
        if case .postgres(let postgres) = backend { try await postgres.createSchemaIfNeeded() }
    }

    /// Closes every connection (a database run by a service group closes at graceful shutdown; this
    /// closes one whose group never ran). Calls after this fail.
    public func close() async {
        switch backend {
        case .sqlite(let sqlite): await sqlite.close()
        case .postgres(let postgres): await postgres.close()
        }
    }

    /// Opens the database at `location`, runs `body` with it and closes it, whether `body` throws or not.
    public static func with<T>(
        _ location: DatabaseLocation, logger: Logger, cacheBytes: Int? = nil, retention: RetentionPolicy = .init(),
        _ body: (Database) async throws -> T
    ) async throws -> T {
        let database = try await open(location, logger: logger, cacheBytes: cacheBytes, retention: retention)
        do {
            let result = try await body(database)
            await database.close()
            return result
        } catch {
            await database.close()
            throw error
        }
    }

    /// Whether `error` is a unique-constraint violation on either engine.
    public static func isUniqueViolation(_ error: any Error) -> Bool {
        if let sqlite = error as? SQLiteFailure { return sqlite.isUniqueViolation }
        if let postgres = error as? PSQLError {
            return postgres.serverInfo?[.sqlState] == "23505"
        }
        return false
    }
}
