import Foundation
import Logging
import Storage

/// Databases for tests: a fresh SQLite file or a fresh PostgreSQL schema, dropped afterwards.
///
/// PostgreSQL comes from `SPROCKET_TEST_POSTGRES` (set by `scripts/test`). Without it the
/// PostgreSQL cases fail with a message saying so: they never skip silently.
public enum TestDatabase {
    public static let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return logger
    }()

    /// The PostgreSQL server URL for tests.
    public static func postgresURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["SPROCKET_TEST_POSTGRES"], !url.isEmpty else {
            throw MissingPostgres()
        }
        return url
    }

    /// A location for a new, empty database on `engine`.
    public static func freshLocation(_ engine: Engine, name: String = "t") throws -> DatabaseLocation {
        let unique = "\(name)_\(UInt32.random(in: 0...UInt32.max))_\(ProcessInfo.processInfo.processIdentifier)"
        switch engine {
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "sprocket-tests", isDirectory: true)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return .sqlite(path: directory.appendingPathComponent("\(unique).sqlite").path)
        case .postgres:
            guard
                case .postgres(let host, let port, let user, let password, let database, _) = try DatabaseLocation(
                    parsing: try postgresURL())
            else { throw MissingPostgres() }
            return .postgres(host: host, port: port, user: user, password: password, database: database, schema: unique)
        }
    }

    /// How long a PostgreSQL statement of a test may wait for its answer. The product's 10 s is too short
    /// for the suites that queue a thousand writers on one row while the machine is loaded (one such
    /// test failed with CPU hogs beside it); a hung statement still fails, a minute later.
    public static let statementDeadline: Duration = .seconds(60)

    /// Runs `body` with a new, empty database on `engine`, then closes and removes it.
    /// (`retention`: how long its plumbing rows are kept.)
    public static func with<T>(
        _ engine: Engine, retention: RetentionPolicy = .init(), _ body: (Database) async throws -> T
    ) async throws -> T {
        let location = try freshLocation(engine)
        let database = try await Database.open(
            location, logger: logger, statementDeadline: statementDeadline, retention: retention)
        do {
            let result = try await body(database)
            await cleanUp(database, location)
            return result
        } catch {
            await cleanUp(database, location)
            throw error
        }
    }

    /// Closes `database` and removes what `location` created.
    public static func cleanUp(_ database: Database, _ location: DatabaseLocation) async {
        if case .postgres(_, _, _, _, _, let schema?) = location {
            try? await database.transaction { db in
                try await db.raw("DROP SCHEMA IF EXISTS \(ident: schema) CASCADE").run()
            }
        }
        await database.close()
        if case .sqlite(let path) = location {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
    }
}

/// PostgreSQL tests were run without a server: run them through `scripts/test`.
public struct MissingPostgres: Error, CustomStringConvertible {
    public var description: String {
        "SPROCKET_TEST_POSTGRES is not set: run the suite with scripts/test, which starts PostgreSQL"
    }
}
