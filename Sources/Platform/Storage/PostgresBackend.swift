import Logging
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit

/// A PostgreSQL connection pool (`PostgresClient`). Its `run()` runs either in a service group (as
/// ``run()``) or, for commands and tests, in a task this backend owns until ``close()``.
///
/// Queries wait until the pool runs; none may be sent after it stopped.
final class PostgresBackend: Sendable {
    private let client: PostgresClient
    private let ownTask: Task<Void, Never>?
    private let schema: String?
    private let statementDeadline: Duration

    private init(client: PostgresClient, ownTask: Task<Void, Never>?, schema: String?, statementDeadline: Duration) {
        self.client = client
        self.ownTask = ownTask
        self.schema = schema
        self.statementDeadline = statementDeadline
    }

    static func open(
        host: String, port: Int, user: String, password: String?, database: String, schema: String?,
        runsInOwnTask: Bool, statementDeadline: Duration, logger: Logger
    ) -> PostgresBackend {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: .disable
        )
        configuration.options.maximumConnections = 16
        configuration.options.connectTimeout = .seconds(5)
        if let schema {
            configuration.options.additionalStartupParameters = [("search_path", schema)]
        }
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let ownTask = runsInOwnTask ? Task { await client.run() } : nil
        return PostgresBackend(client: client, ownTask: ownTask, schema: schema, statementDeadline: statementDeadline)
    }

    /// Creates the schema named in the location, if any (before the first migration).
    func createSchemaIfNeeded() async throws {
        guard let schema else { return }
        try await withConnection { db in
            try await db.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
        }
    }

    /// Runs `body` with a pooled connection whose statements each have `deadline` (the backend's
    /// default when `nil`).
    func withConnection<T>(deadline: Duration? = nil, _ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await body(
                StatementDeadline(
                    base: connection.sql(queryLogLevel: .trace), connection: connection,
                    limit: deadline ?? statementDeadline))
        }
    }

    /// The schema this backend's tables are in.
    var schemaName: String { schema ?? "public" }

    /// Listens on `channel` with a connection of its own, calling `onNotification` for each
    /// notification, until the connection fails or the task is cancelled.
    func listen(_ channel: String, _ onNotification: @Sendable () -> Void) async throws {
        try await client.withConnection { connection in
            try await connection.listen(on: channel) { notifications in
                for try await _ in notifications { onNotification() }
            }
        }
    }

    /// Runs the pool until graceful shutdown or cancellation.
    func run() async {
        await client.run()
    }

    func close() async {
        guard let ownTask else { return }
        ownTask.cancel()
        _ = await ownTask.value
    }
}
