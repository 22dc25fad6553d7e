import Foundation
import Logging
import Messaging
import SQLKit
import Storage
import TestSupport

/// A consumer database with an `effects` table, so tests can count what handlers really did.
enum MessagingFixture {
    static let effects = Migration(version: 1, name: "effects") { engine in
        ["CREATE TABLE effects (seq \(engine.autoIncrementPrimaryKey), event_id TEXT NOT NULL)"]
    }

    static func prepare(_ database: Database) async throws {
        try await database.migrate(
            service: MessagingSchema.service, MessagingSchema.migrations, logger: TestDatabase.logger)
        try await database.migrate(service: "fixture", [effects], logger: TestDatabase.logger)
    }

    static func effectCount(_ database: Database) async throws -> Int {
        try await database.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM effects").first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    /// A consumer of `test.thing.happened` that records one effect row per applied event.
    static func recordingConsumer(_ database: Database, maxAttempts: Int = 5) -> EventConsumer {
        EventConsumer(
            name: "recorder", database: database, maxAttempts: maxAttempts, logger: TestDatabase.logger,
            handlers: [
                "test.thing.happened": { envelope, db in
                    try await db.raw("INSERT INTO effects (event_id) VALUES (\(bind: envelope.id))").run()
                }
            ])
    }

    static func envelope(_ n: Int) throws -> EventEnvelope {
        try EventEnvelope(source: "/test", type: "test.thing.happened", subject: "thing-\(n)", payload: ["n": n])
    }
}
