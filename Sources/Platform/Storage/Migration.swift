import Foundation
import Logging
import SQLKit

/// One versioned schema change of a service. Versions start at 1 and only ever grow.
public struct Migration: Sendable {
    /// The version this migration brings the schema to.
    public let version: Int
    /// A short human name, recorded with the version.
    public let name: String
    /// The statements to run, which may differ by engine.
    public let statements: @Sendable (Engine) -> [String]

    public init(version: Int, name: String, statements: @escaping @Sendable (Engine) -> [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }
}

extension Database {
    /// Applies the service's pending migrations in one transaction and returns how many ran.
    ///
    /// Safe when several processes start at once: on PostgreSQL an advisory lock serialises them,
    /// on SQLite the write transaction does. Marks the database ready for ``isReady()``.
    @discardableResult
    public func migrate(service: String, _ migrations: [Migration], logger: Logger) async throws -> Int {
        try await createSchemaIfNeeded()
        let applied = try await transaction(statementDeadline: .seconds(600)) { db -> Int in
            if engine == .postgres {
                try await db.raw("SELECT pg_advisory_xact_lock(\(bind: Int64(7_214_302)))").run()
            }
            try await db.raw(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    service TEXT NOT NULL, version BIGINT NOT NULL, name TEXT NOT NULL,
                    applied_at BIGINT NOT NULL, PRIMARY KEY (service, version))
                """
            ).run()
            let rows = try await db.raw(
                "SELECT version FROM schema_migrations WHERE service = \(bind: service)"
            ).all()
            let done = Set(try rows.map { try $0.decode(column: "version", as: Int.self) })
            var count = 0
            for migration in migrations.sorted(by: { $0.version < $1.version }) where !done.contains(migration.version)
            {
                for statement in migration.statements(engine) {
                    try await db.raw("\(unsafeRaw: statement)").run()
                }
                try await db.raw(
                    """
                    INSERT INTO schema_migrations (service, version, name, applied_at)
                    VALUES (\(bind: service), \(bind: migration.version), \(bind: migration.name), \(bind: Date().microsecondsSince1970))
                    """
                ).run()
                logger.info(
                    "applied migration", metadata: ["service": "\(service)", "version": "\(migration.version)"])
                count += 1
            }
            return count
        }
        markMigrated()
        return applied
    }
}

extension Database {
    /// For a read-only replica, which must not write: whether every one of `migrations` is recorded as
    /// applied (by the primary, whose schema the replica streams). Marks the database ready for
    /// ``isReady()`` when it is; a replica whose primary runs an older release is not ready until the
    /// primary has migrated.
    public func confirmMigrated(service: String, _ migrations: [Migration]) async throws -> Bool {
        let done = try await read { db -> Set<Int> in
            let table = try await db.raw("SELECT to_regclass('schema_migrations') IS NOT NULL AS present").first()
            guard try table?.decode(column: "present", as: Bool.self) == true else { return [] }
            let rows = try await db.raw("SELECT version FROM schema_migrations WHERE service = \(bind: service)").all()
            return Set(try rows.map { try $0.decode(column: "version", as: Int.self) })
        }
        return migrations.allSatisfy { done.contains($0.version) }
    }

    /// Marks a replica ready once its schema is confirmed (``confirmMigrated(service:_:)``).
    public func markReplicaReady() { markMigrated() }
}
