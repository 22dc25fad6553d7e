import Foundation
import IntegrationEvents
import Messaging
import SQLKit
import Storage
import Testing
import TestSupport

@Suite("Inbox, retries and dead letters on both engines")
struct ConsumerTests {
    @Test(arguments: Engine.allCases)
    func aSecondDeliveryOfTheSameEventHasNoSecondEffect(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            try await MessagingFixture.prepare(database)
            let consumer = MessagingFixture.recordingConsumer(database)
            let envelope = try MessagingFixture.envelope(7)
            try await consumer.deliver(envelope)
            try await consumer.deliver(envelope)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 { group.addTask { try await consumer.deliver(envelope) } }
                try await group.waitForAll()
            }
            #expect(try await MessagingFixture.effectCount(database) == 1)
            try await consumer.deliver(try MessagingFixture.envelope(8))
            #expect(try await MessagingFixture.effectCount(database) == 2)
        }
    }

    @Test(arguments: Engine.allCases)
    func aHandlerThatKeepsFailingEndsInDeadLetters(engine: Engine) async throws {
        struct Broken: Error {}
        try await TestDatabase.with(engine) { database in
            try await MessagingFixture.prepare(database)
            let consumer = EventConsumer(
                name: "broken", database: database, maxAttempts: 3, failureWindow: .zero, logger: TestDatabase.logger,
                handlers: ["test.thing.happened": { _, _ in throw Broken() }]
            )
            let envelope = try MessagingFixture.envelope(1)
            await #expect(throws: Broken.self) { try await consumer.deliver(envelope) }
            await #expect(throws: Broken.self) { try await consumer.deliver(envelope) }
            #expect(try await DeadLetters.list(in: database).isEmpty)
            try await consumer.deliver(envelope)  // third failure: given up, acknowledged
            let letters = try await DeadLetters.list(in: database)
            #expect(letters.count == 1)
            #expect(letters.first?.eventID == envelope.id)
            #expect(letters.first?.attempts == 3)
            #expect(letters.first?.consumer == "broken")
            #expect(letters.first?.error.contains("Broken") == true)
            try await consumer.deliver(envelope)  // acknowledged from now on
            #expect(try await DeadLetters.list(in: database).count == 1)
        }
    }

    @Test(arguments: Engine.allCases)
    func aRedrivenDeadLetterIsAppliedOnce(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            try await MessagingFixture.prepare(database)
            let broken = EventConsumer(
                name: "recorder", database: database, maxAttempts: 1, failureWindow: .zero, logger: TestDatabase.logger,
                handlers: ["test.thing.happened": { _, _ in throw CancellationError() }]
            )
            let envelope = try MessagingFixture.envelope(1)
            try await broken.deliver(envelope)
            let letter = try #require(try await DeadLetters.list(in: database).first)
            let fixed = MessagingFixture.recordingConsumer(database)
            try await DeadLetters.redrive(seq: letter.seq, through: fixed)
            try await DeadLetters.redrive(seq: letter.seq, through: fixed)
            #expect(try await MessagingFixture.effectCount(database) == 1)
            #expect(try await DeadLetters.list(in: database).isEmpty)
        }
    }

    @Test(arguments: Engine.allCases)
    func failuresWithinTheWindowAreRetriedNotGivenUp(engine: Engine) async throws {
        struct DatabaseBlip: Error {}
        try await TestDatabase.with(engine) { database in
            try await MessagingFixture.prepare(database)
            let flaky = FlakyHandler(failures: 8)
            let consumer = EventConsumer(
                name: "blip", database: database, maxAttempts: 3, failureWindow: .seconds(3600),
                logger: TestDatabase.logger,
                handlers: [
                    "test.thing.happened": { envelope, db in
                        try flaky.maybeFail()
                        try await db.raw("INSERT INTO effects (event_id) VALUES (\(bind: envelope.id))").run()
                    }
                ])
            let envelope = try MessagingFixture.envelope(1)
            for _ in 0..<8 { await #expect(throws: FlakyHandler.Failed.self) { try await consumer.deliver(envelope) } }
            #expect(try await DeadLetters.list(in: database).isEmpty)
            try await consumer.deliver(envelope)
            #expect(try await MessagingFixture.effectCount(database) == 1)
        }
    }

    @Test(arguments: Engine.allCases)
    func aRedriveThatFailsAgainStaysADeadLetter(engine: Engine) async throws {
        struct StillBroken: Error {}
        try await TestDatabase.with(engine) { database in
            try await MessagingFixture.prepare(database)
            let broken = EventConsumer(
                name: "recorder", database: database, maxAttempts: 1, failureWindow: .zero, logger: TestDatabase.logger,
                handlers: ["test.thing.happened": { _, _ in throw StillBroken() }]
            )
            let envelope = try MessagingFixture.envelope(1)
            try await broken.deliver(envelope)
            let letter = try #require(try await DeadLetters.list(in: database).first)
            await #expect(throws: StillBroken.self) { try await DeadLetters.redrive(seq: letter.seq, through: broken) }
            let after = try #require(try await DeadLetters.list(in: database).first)
            #expect(after.seq == letter.seq)
            #expect(after.attempts == letter.attempts + 1)
            // The live stream still skips it: the event stays given up, not half-applied.
            try await broken.deliver(envelope)
            #expect(try await DeadLetters.list(in: database).count == 1)
            let fixed = MessagingFixture.recordingConsumer(database)
            #expect(try await DeadLetters.redrive(seq: letter.seq, through: fixed))
            #expect(try await MessagingFixture.effectCount(database) == 1)
            #expect(try await DeadLetters.list(in: database).isEmpty)
        }
    }

    @Test(arguments: Engine.allCases)
    func anEventFromAServiceThatDoesNotPublishItIsADeadLetterAtOnce(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            try await MessagingFixture.prepare(database)
            var consumer = EventConsumer(name: "typed", database: database, logger: TestDatabase.logger)
            consumer.on(CustomerRegistered.self) { event, db in
                try await db.raw("INSERT INTO effects (event_id) VALUES (\(bind: event.customerId))").run()
            }
            let event = CustomerRegistered(
                customerId: "c1", email: "a@example.com", name: "A", role: "admin", registeredAt: Date())
            let forged = try EventEnvelope(
                source: "/intruder", type: CustomerRegistered.type, subject: "c1", payload: event)
            try await consumer.deliver(forged)
            #expect(try await MessagingFixture.effectCount(database) == 0)
            let letter = try #require(try await DeadLetters.list(in: database).first)
            #expect(letter.error.contains("/intruder"))
            let genuine = try EventEnvelope(
                source: CustomerRegistered.source, type: CustomerRegistered.type, subject: "c1", payload: event)
            try await consumer.deliver(genuine)
            #expect(try await MessagingFixture.effectCount(database) == 1)
        }
    }

    @Test(arguments: Engine.allCases)
    func theRelayRetriesUntilTheFailingSubscriberHasCommitted(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            try await MessagingFixture.prepare(database)
            let flaky = FlakyHandler(failures: 2)
            let consumer = EventConsumer(
                name: "flaky", database: database, maxAttempts: 5, logger: TestDatabase.logger,
                handlers: [
                    "test.thing.happened": { envelope, db in
                        try flaky.maybeFail()
                        try await db.raw("INSERT INTO effects (event_id) VALUES (\(bind: envelope.id))").run()
                    }
                ]
            )
            let transport = InProcessTransport()
            try await consumer.subscribe(to: transport)
            try await database.transaction { db in try await Outbox.append(try MessagingFixture.envelope(1), in: db) }
            let relay = OutboxRelay(database: database, transport: transport, logger: TestDatabase.logger)
            var attempts = 0
            while try await Outbox.pendingCount(in: database) > 0, attempts < 5 {
                attempts += 1
                _ = try? await relay.publishPending()
            }
            #expect(attempts == 3)
            #expect(try await MessagingFixture.effectCount(database) == 1)
            #expect(try await DeadLetters.list(in: database).isEmpty)
        }
    }

    @Test func envelopesRoundTripAsCloudEvents() throws {
        let envelope = try EventEnvelope(
            source: "/catalog", type: "catalog.part.upserted", subject: "BRK-1", payload: ["sku": "BRK-1"],
            traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        )
        let json = try envelope.jsonData()
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(object["specversion"] as? String == "1.0")
        #expect(object["datacontenttype"] as? String == "application/json")
        #expect((object["data"] as? [String: String])?["sku"] == "BRK-1")
        let decoded = try EventEnvelope(jsonData: json)
        #expect(decoded.id == envelope.id)
        #expect(decoded.subject == "BRK-1")
        #expect(decoded.traceparent == envelope.traceparent)
        #expect(try decoded.decode([String: String].self) == ["sku": "BRK-1"])
        #expect(throws: EnvelopeError.self) { try EventEnvelope(jsonData: Data("{}".utf8)) }
    }
}

final class FlakyHandler: @unchecked Sendable {
    private let lock = NSLock()
    private var failures: Int
    init(failures: Int) { self.failures = failures }
    struct Failed: Error {}
    func maybeFail() throws {
        try lock.withLock {
            if failures > 0 {
                failures -= 1
                throw Failed()
            }
        }
    }
}
