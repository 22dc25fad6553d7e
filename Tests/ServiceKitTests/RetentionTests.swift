import Foundation
import Hummingbird
import HummingbirdTesting
import Messaging
import SQLKit
import ServiceKit
import Storage
import Testing
import TestSupport

@Suite("Retention of outbox, inbox and idempotency keys on both engines")
struct RetentionTests {
    static let day: Int64 = 86_400_000_000

    static func prepare(_ database: Database) async throws {
        try await database.migrate(
            service: MessagingSchema.service, MessagingSchema.migrations, logger: TestDatabase.logger)
        try await database.migrate(
            service: IdempotencySchema.service, IdempotencySchema.migrations, logger: TestDatabase.logger)
    }

    static func ids(_ sql: String, _ database: Database) async throws -> [String] {
        try await database.read { db in
            try await db.raw("\(unsafeRaw: sql)").all().map { try $0.decode(column: "id", as: String.self) }.sorted()
        }
    }

    /// Outbox rows published 8 and 6 days ago (as the relay marks them; on SQLite, which counts from the
    /// event's time, their events happened then), one never published and one parked 30 days ago; inbox
    /// ids received 9 and 7 days ago; idempotency keys answered 2 days and an hour ago, and one running.
    static func seed(_ database: Database, now: Int64) async throws {
        try await database.transaction { db in
            for (id, published, parked) in [
                ("old", now - 8 * day, nil), ("recent", now - 6 * day, nil), ("unpublished", nil, nil),
                ("parked", nil, now - 30 * day), ("older", now - 9 * day, nil), ("oldest", now - 10 * day, nil),
            ] as [(String, Int64?, Int64?)] {
                let seq = try await db.raw(
                    """
                    INSERT INTO outbox (id, source, type, time, data, parked_at)
                    VALUES (\(bind: id), '/test', 'test.thing.happened', \(bind: published ?? now - 30 * day), '{}',
                            \(bind: parked))
                    RETURNING seq
                    """
                ).first()?.decode(column: "seq", as: Int.self)
                if let published, let seq {
                    try await Outbox.markPublished([seq], at: published, engine: database.engine, in: db)
                }
            }
            for (id, received) in [("old", now - 9 * day), ("recent", now - 7 * day)] {
                try await db.raw(
                    "INSERT INTO inbox (consumer, event_id, received_at) VALUES ('c', \(bind: id), \(bind: received))"
                ).run()
            }
            for (key, state, created) in [
                ("old", "done", now - 2 * day), ("recent", "done", now - day / 24),
                ("running", "running", now - 2 * day),
            ] {
                try await db.raw(
                    """
                    INSERT INTO idempotency_keys (scope, key, request_hash, state, created_at, locked_until)
                    VALUES ('s', \(bind: key), 'h', \(bind: state), \(bind: created), \(bind: now + day))
                    """
                ).run()
            }
        }
    }

    @Test(arguments: Engine.allCases)
    func rowsPastTheirWindowGoAndRowsInsideItStay(engine: Engine) async throws {
        // Batches of two: the sweep goes on until fewer than a batch are left.
        try await TestDatabase.with(engine, retention: RetentionPolicy(batchSize: 2)) { database in
            try await Self.prepare(database)
            let now = Date()
            try await Self.seed(database, now: now.microsecondsSince1970)
            let sweep = RetentionSweep(database: database, pause: .zero, logger: TestDatabase.logger)
            let deleted = try await sweep.sweep(now: now)
            #expect(deleted == ["outbox": 3, "inbox": 1, "idempotency_keys": 1])
            // Published 6 days ago stays (7 days); never published and parked stay whatever their age.
            #expect(try await Self.ids("SELECT id FROM outbox", database) == ["parked", "recent", "unpublished"])
            #expect(try await Self.ids("SELECT event_id AS id FROM inbox", database) == ["recent"])
            #expect(try await Self.ids("SELECT key AS id FROM idempotency_keys", database) == ["recent", "running"])
            #expect(try await sweep.sweep(now: now) == ["outbox": 0, "inbox": 0, "idempotency_keys": 0])

            // The oldest row each table keeps, as the gauges and `sprocket reconcile --sizes` read it.
            let oldest = try await database.read { db in
                try await PrunedTable.outbox.oldestRow(engine: database.engine, in: db)
            }
            let age = now.timeIntervalSince(try #require(oldest))
            #expect(abs(age - 6 * 86_400) < 5)
        }
    }

    @Test(arguments: Engine.allCases)
    func aRedeliveredEventInsideTheInboxWindowIsStillRecognised(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            try await Self.prepare(database)
            try await database.migrate(
                service: "effects",
                [
                    Migration(version: 1, name: "effects") { _ in ["CREATE TABLE effects (event_id TEXT NOT NULL)"] }
                ], logger: TestDatabase.logger)
            let consumer = EventConsumer(
                name: "recorder", database: database, logger: TestDatabase.logger,
                handlers: [
                    "test.thing.happened": { envelope, db in
                        try await db.raw("INSERT INTO effects (event_id) VALUES (\(bind: envelope.id))").run()
                    }
                ])
            let envelope = try EventEnvelope(
                source: "/test", type: "test.thing.happened", subject: "thing-1", payload: ["n": 1])
            try await consumer.deliver(envelope)
            // A week later (inside the 8 days) the sweep runs, and the event arrives again.
            let sweep = RetentionSweep(database: database, pause: .zero, logger: TestDatabase.logger)
            #expect(try await sweep.sweep(now: Date().addingTimeInterval(7 * 86_400))["inbox"] == 0)
            try await consumer.deliver(envelope)
            #expect(try await Self.ids("SELECT event_id AS id FROM effects", database) == [envelope.id])
            // Past the window its id goes.
            #expect(try await sweep.sweep(now: Date().addingTimeInterval(9 * 86_400))["inbox"] == 1)
        }
    }

    @Test(arguments: Engine.allCases)
    func anExpiredIdempotencyKeyIsANewRequest(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            try await Application(router: try await IdempotencyTests.router(database)).test(.router) { client in
                let headers: HTTPFields = [.idempotencyKey: "key-1"]
                let first = try await client.execute(
                    uri: "/things", method: .post, headers: headers, body: ByteBuffer(string: "a"))
                #expect(String(buffer: first.body) == #"{"count":1}"#)
                // 23 hours later: still the first answer; another body is still refused.
                try await Self.age(database, by: 23 * 3_600)
                let replayed = try await client.execute(
                    uri: "/things", method: .post, headers: headers, body: ByteBuffer(string: "a"))
                #expect(replayed.headers[.idempotentReplayed] == "true")
                #expect(String(buffer: replayed.body) == #"{"count":1}"#)
                let reused = try await client.execute(
                    uri: "/things", method: .post, headers: headers, body: ByteBuffer(string: "b"))
                #expect(reused.status == .conflict)

                // Past 24 hours: the key is free again, with this body or another.
                try await Self.age(database, by: 2 * 3_600)
                let again = try await client.execute(
                    uri: "/things", method: .post, headers: headers, body: ByteBuffer(string: "b"))
                #expect(again.status == .created)
                #expect(again.headers[.idempotentReplayed] == nil)
                #expect(String(buffer: again.body) == #"{"count":2}"#)
                // ... and remembered from now on.
                let replayedAgain = try await client.execute(
                    uri: "/things", method: .post, headers: headers, body: ByteBuffer(string: "b"))
                #expect(String(buffer: replayedAgain.body) == #"{"count":2}"#)
                #expect(replayedAgain.headers[.idempotentReplayed] == "true")
                #expect(try await IdempotencyTests.effectCount(database) == 2)
            }
        }
    }

    /// Moves every idempotency key (its first use and its lease) `seconds` into the past.
    static func age(_ database: Database, by seconds: Int64) async throws {
        try await database.transaction { db in
            try await db.raw(
                """
                UPDATE idempotency_keys SET created_at = created_at - \(bind: seconds * 1_000_000),
                    locked_until = locked_until - \(bind: seconds * 1_000_000)
                """
            ).run()
        }
    }

    @Test func policiesAreChecked() {
        #expect(RetentionPolicy().problem == nil)
        #expect(RetentionPolicy(outbox: .seconds(600), inbox: .seconds(300)).problem?.contains("inbox") == true)
        #expect(RetentionPolicy(idempotencyKeys: .seconds(10)).problem != nil)
        #expect(RetentionPolicy.duration("7d") == .seconds(7 * 86_400))
        #expect(RetentionPolicy.duration("90s") == .seconds(90))
        #expect(RetentionPolicy.duration("2w") == nil)
        #expect(RetentionPolicy.duration("-5m") == nil)
        #expect(
            RetentionPolicy(outbox: .seconds(120), inbox: .seconds(180), idempotencyKeys: .seconds(120))
                .sweepInterval == .seconds(12))
    }
}
