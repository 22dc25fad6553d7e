import Logging
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit

/// A PostgreSQL connection pool (`PostgresClient`) whose `run()` is owned by this backend.
///
/// The pool's run task starts in ``open`` and is cancelled by ``close()``; no query may be sent
/// after `close()`.
final class PostgresBackend: Sendable {
    private let client: PostgresClient
    private let runTask: Task<Void, Never>
    private let logger: Logger

    private init(client: PostgresClient, runTask: Task<Void, Never>, logger: Logger) {
        self.client = client
        self.runTask = runTask
        self.logger = logger
    }

    static func open(
        host: String, port: Int, user: String, password: String?, database: String, schema: String?,
        logger: Logger
    ) async throws -> PostgresBackend {
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: user, password: password, database: database, tls: .disable
        )
        configuration.options.maximumConnections = 16
        if let schema {
            configuration.options.additionalStartupParameters = [("search_path", schema)]
        }
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let runTask = Task { await client.run() }
        let backend = PostgresBackend(client: client, runTask: runTask, logger: logger)
        if let schema {
            try await backend.withConnection { db in
                try await db.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
            }
        }
        return backend
    }

    func withConnection<T>(_ body: (any SQLDatabase) async throws -> T) async throws -> T {
        try await client.withConnection { connection in
            try await body(connection.sql(queryLogLevel: .trace))
        }
    }

    func close() async {
        runTask.cancel()
        _ = await runTask.value
    }
}
