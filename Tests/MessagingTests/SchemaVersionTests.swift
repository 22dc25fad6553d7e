import Foundation
import IntegrationEvents
import Messaging
import SQLKit
import Storage
import Testing
import TestSupport

/// An event contract of this release: version 1, one field.
private struct ThingHappened: IntegrationEvent, Equatable {
    static let type = "test.thing.happened"
    static let source = "/test"
    var n: Int
    var subject: String { "thing-\(n)" }
}

/// Events across releases (docs/VERSIONING.md): the envelope carries its payload's schema version, an
/// envelope or payload of the release before (no version) or after (attributes and fields this one does
/// not know) still reads, and a newer schema version is refused rather than half understood.
@Suite("Event schema versions across releases")
struct SchemaVersionTests {
    /// Subscribers of one in-process envelope decode its payload once between them; a copy whose payload
    /// is replaced decodes the new one.
    @Test func copiesShareTheDecodedPayloadAndAReplacedPayloadIsDecodedAfresh() throws {
        let envelope = try EventEnvelope(ThingHappened(n: 1))
        let copy = envelope
        #expect(try envelope.decode(ThingHappened.self) == ThingHappened(n: 1))
        #expect(try copy.decode(ThingHappened.self) == ThingHappened(n: 1))
        var replaced = copy
        replaced.data = Data(#"{"n":2}"#.utf8)
        #expect(try replaced.decode(ThingHappened.self) == ThingHappened(n: 2))
        #expect(try envelope.decode(ThingHappened.self) == ThingHappened(n: 1))
        #expect(replaced != envelope && copy == envelope)
    }

    @Test func theVersionTravelsInTheEnvelopeAndDefaultsToOne() throws {
        let envelope = try EventEnvelope(ThingHappened(n: 1))
        #expect(envelope.schemaVersion == 1)
        var newer = envelope
        newer.schemaVersion = 2
        let document = try newer.jsonData()
        let object = try #require(try JSONSerialization.jsonObject(with: document) as? [String: Any])
        #expect(object["schemaversion"] as? Int == 2)
        let read = try EventEnvelope(jsonData: document)
        #expect(read.id == newer.id && read.schemaVersion == 2 && read.data == newer.data)

        // The release before wrote no schemaversion; a later one may add attributes.
        let older = #"""
            {"specversion":"1.0","id":"0193a1b2-7c3d-7e4f-8a5b-6c7d8e9f0a1b","source":"/test",
             "type":"test.thing.happened","time":"2026-12-06T10:00:00Z","subject":"thing-7",
             "partitionkey":"unknown-to-us","data":{"n":7,"addedLater":"ignored"}}
            """#
        let parsed = try EventEnvelope(jsonData: Data(older.utf8))
        #expect(parsed.schemaVersion == 1)
        #expect(try parsed.decode(ThingHappened.self) == ThingHappened(n: 7))
    }

    @Test(arguments: Engine.allCases)
    func aConsumerAppliesTheVersionsItReadsAndRefusesNewerOnes(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            try await MessagingFixture.prepare(database)
            var consumer = EventConsumer(
                name: "versioned", database: database, maxAttempts: 5, logger: TestDatabase.logger)
            consumer.on(ThingHappened.self) { event, db in
                try await db.raw("INSERT INTO effects (event_id) VALUES (\(bind: event.subject))").run()
            }
            // Version 1 with a field added by a later release: applied.
            let current = EventEnvelope(
                source: "/test", type: ThingHappened.type, subject: "thing-1", data: Data(#"{"n":1,"extra":true}"#.utf8)
            )
            try await consumer.deliver(current)
            #expect(try await MessagingFixture.effectCount(database) == 1)

            var newer = try EventEnvelope(ThingHappened(n: 2))
            newer.schemaVersion = 2
            await #expect(throws: UnreadableSchemaVersion.self) { try await consumer.deliver(newer) }
            #expect(try await MessagingFixture.effectCount(database) == 1)
        }
    }

    @Test(arguments: Engine.allCases)
    func theOutboxKeepsTheVersionAndRowsOfTheReleaseBeforeAreVersionOne(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            try await MessagingFixture.prepare(database)
            var newer = try EventEnvelope(ThingHappened(n: 3))
            newer.schemaVersion = 2
            try await database.transaction { db in
                try await Outbox.append(newer, in: db)
                // What 0.1.0 inserts: no schema_version column named.
                try await db.raw(
                    """
                    INSERT INTO outbox (id, source, type, subject, time, data, traceparent)
                    VALUES ('old-1', '/test', 'test.thing.happened', 'thing-4', 0, '{"n":4}', NULL)
                    """
                ).run()
            }
            let versions = try await database.read { db in
                try await db.raw("SELECT id, schema_version FROM outbox ORDER BY seq").all().map {
                    try $0.decode(column: "schema_version", as: Int.self)
                }
            }
            #expect(versions == [2, 1])
        }
    }
}
