import Synchronization
import Foundation
import Messaging
import SQLKit
import Storage
import Testing
import TestSupport

@Suite("Outbox and relay on both engines")
struct OutboxRelayTests {
    @Test(arguments: Engine.allCases)
    func anEventCommittedBeforeAStopIsPublishedAfterRestart(engine: Engine) async throws {
        let producerLocation = try TestDatabase.freshLocation(engine, name: "producer")
        let envelope = try MessagingFixture.envelope(1)

        // First life of the process: the business transaction commits its event, then the process stops.
        let firstLife = try await Database.open(producerLocation, logger: TestDatabase.logger)
        try await MessagingFixture.prepare(firstLife)
        try await firstLife.transaction { db in try await Outbox.append(envelope, in: db) }
        await firstLife.close()

        // Second life: a new relay finds the row and publishes it.
        let secondLife = try await Database.open(producerLocation, logger: TestDatabase.logger)
        try await TestDatabase.with(engine) { consumerDatabase in
            try await MessagingFixture.prepare(consumerDatabase)
            let transport = InProcessTransport()
            try await MessagingFixture.recordingConsumer(consumerDatabase).subscribe(to: transport)
            #expect(try await Outbox.pendingCount(in: secondLife) == 1)
            let relay = OutboxRelay(database: secondLife, transport: transport, logger: TestDatabase.logger)
            #expect(try await relay.publishPending() == 1)
            #expect(try await relay.publishPending() == 0)
            #expect(try await Outbox.pendingCount(in: secondLife) == 0)
            #expect(try await MessagingFixture.effectCount(consumerDatabase) == 1)
        }
        await TestDatabase.cleanUp(secondLife, producerLocation)
    }

    @Test(arguments: Engine.allCases)
    func aRolledBackTransactionPublishesNothing(engine: Engine) async throws {
        struct Abort: Error {}
        try await TestDatabase.with(engine) { database in
            try await MessagingFixture.prepare(database)
            try? await database.transaction { db in
                try await Outbox.append(try MessagingFixture.envelope(1), in: db)
                throw Abort()
            }
            #expect(try await Outbox.pendingCount(in: database) == 0)
        }
    }

    /// Rows the release before left unpublished (it marked a published row's `published_at`) are the ones
    /// still to publish after this release's migrations, which on SQLite move that state into
    /// `outbox_pending`; each is published once.
    @Test(arguments: Engine.allCases)
    func rowsLeftUnpublishedBeforeAnUpgradeArePublishedOnceAfterIt(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let before = Array(MessagingSchema.migrations.prefix { $0.version <= 5 })
            try await database.migrate(service: MessagingSchema.service, before, logger: TestDatabase.logger)
            try await database.transaction { db in
                for n in 1...3 { try await Outbox.append(try MessagingFixture.envelope(n), in: db) }
                try await db.raw("UPDATE outbox SET published_at = 1 WHERE subject = 'thing-1'").run()
            }
            try await MessagingFixture.prepare(database)
            #expect(try await Outbox.pendingCount(in: database) == 2)
            let (total, subjects) = try await publishAll(database, batchSize: 10)
            #expect(total == 2)
            #expect(subjects == ["thing-2", "thing-3"])
            #expect(try await Outbox.pendingCount(in: database) == 0)
            // The rows stay for retention, whole.
            let stored = try await database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM outbox WHERE data LIKE '%\"n\"%'").first()?
                    .decode(column: "n", as: Int.self)
            }
            #expect(stored == 3)
        }
    }

    /// Publishes every pending row through an in-process transport, `batchSize` a pass: how many, and
    /// their subjects in the order they were delivered.
    private func publishAll(_ database: Database, batchSize: Int) async throws -> (Int, [String]) {
        let seen = SeenSubjects()
        let transport = InProcessTransport()
        try await transport.subscribe(consumer: "order-check", types: ["test.thing.happened"]) { envelope in
            seen.append(envelope.subject ?? "")
        }
        let relay = OutboxRelay(
            database: database, transport: transport, logger: TestDatabase.logger, batchSize: batchSize)
        var total = 0
        while case let published = try await relay.publishPending(), published > 0 { total += published }
        return (total, seen.all)
    }

    @Test(arguments: Engine.allCases)
    func eventsArePublishedInCommitOrder(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            try await MessagingFixture.prepare(database)
            for n in 0..<25 {
                try await database.transaction { db in try await Outbox.append(try MessagingFixture.envelope(n), in: db)
                }
            }
            let (total, subjects) = try await publishAll(database, batchSize: 10)
            #expect(total == 25)
            #expect(subjects == (0..<25).map { "thing-\($0)" })
        }
    }

    @Test(arguments: Engine.allCases)
    func eventsAppendedTogetherArePublishedInTheirOrder(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            try await MessagingFixture.prepare(database)
            // In reverse alphabetical order of their ids, so an insert by id would show.
            let envelopes = try (0..<300).map { n in
                var envelope = try MessagingFixture.envelope(n)
                envelope.id = String(format: "%05d", 300 - n)
                return envelope
            }
            try await database.transaction { db in
                try await Outbox.append(try MessagingFixture.envelope(-1), in: db)
                try await Outbox.append(envelopes, engine: engine, in: db)
            }
            let (total, subjects) = try await publishAll(database, batchSize: 100)
            #expect(total == 301)
            #expect(subjects == (-1..<300).map { "thing-\($0)" })
        }
    }

    @Test(arguments: Engine.allCases)
    func aPoisonRowDoesNotBlockTheRowsBehindItAndIsParked(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            try await MessagingFixture.prepare(database)
            let poison = try MessagingFixture.envelope(0)
            try await database.transaction { db in
                try await Outbox.append(poison, in: db)
                for n in 1...4 { try await Outbox.append(try MessagingFixture.envelope(n), in: db) }
            }
            let transport = PoisonTransport(poison: poison.id)
            let relay = OutboxRelay(
                database: database, transport: transport, logger: TestDatabase.logger, batchSize: 2, parkAfter: 5,
                parkWindow: .zero)
            var rounds = 0
            while try await Outbox.pendingCount(in: database) > 1, rounds < 10 {
                rounds += 1
                _ = try? await relay.publishPending()
            }
            #expect(transport.published == ["thing-1", "thing-2", "thing-3", "thing-4"])
            // Alone in its batch the row fails with nothing else accepted: that is an outage, not counted.
            await #expect(throws: OutboxRelay.RelayFailure.self) { try await relay.publishPending() }
            #expect(try await Outbox.parked(in: database).isEmpty)
            for n in 5...7 {
                try await database.transaction { db in try await Outbox.append(try MessagingFixture.envelope(n), in: db)
                }
                _ = try await relay.publishPending()
            }
            let parked = try #require(try await Outbox.parked(in: database).first)
            #expect(parked.eventID == poison.id)
            #expect(parked.attempts == 5)
            #expect(parked.error.contains("TooLarge"))
            #expect(try await relay.publishPending() == 0)
            #expect(try await Outbox.unpark(poison.id, in: database) == 1)
            #expect(try await Outbox.parked(in: database).isEmpty)
        }
    }

    @Test(arguments: Engine.allCases)
    func aFailingTransportKeepsTheRowForALaterAttempt(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            try await MessagingFixture.prepare(database)
            try await database.transaction { db in try await Outbox.append(try MessagingFixture.envelope(1), in: db) }
            let failing = FlakyTransport(failuresLeft: 1)
            let relay = OutboxRelay(database: database, transport: failing, logger: TestDatabase.logger)
            await #expect(throws: OutboxRelay.RelayFailure.self) { try await relay.publishPending() }
            #expect(try await Outbox.pendingCount(in: database) == 1)
            #expect(try await relay.publishPending() == 1)
            #expect(try await Outbox.pendingCount(in: database) == 0)
            #expect(failing.published == 1)
        }
    }
}

/// A transport that always refuses one event id and accepts the rest.
final class PoisonTransport: Transport, Sendable {
    private let poison: String
    private let accepted = Mutex<[String]>([])
    var published: [String] { accepted.withLock { $0 } }

    init(poison: String) { self.poison = poison }

    func publish(batch: [EventEnvelope], deadline: Duration) async -> PublishOutcome {
        var outcome = PublishOutcome()
        for envelope in batch {
            if envelope.id == poison {
                outcome.failures.append(
                    PublishFailure(eventID: envelope.id, description: "TooLarge: the broker refused it"))
            } else {
                accepted.withLock { $0.append(envelope.subject ?? "") }
                outcome.published.append(envelope.id)
            }
        }
        return outcome
    }

    func subscribe(consumer: String, types: Set<String>, deliverBatch: @escaping EventBatchDelivery) async throws {}
}

final class SeenSubjects: Sendable {
    private let subjects = Mutex<[String]>([])
    func append(_ subject: String) { subjects.withLock { $0.append(subject) } }
    var all: [String] { subjects.withLock { $0 } }
}

/// A transport that refuses the first `failuresLeft` publishes.
final class FlakyTransport: Transport, Sendable {
    private let state: Mutex<(failuresLeft: Int, published: Int)>
    var published: Int { state.withLock { $0.published } }

    init(failuresLeft: Int) { state = Mutex((failuresLeft, 0)) }

    /// Refuses events while failures are left, and gives up on the rest of the batch at the first refusal
    /// (as a transport that is down does).
    func publish(batch: [EventEnvelope], deadline: Duration) async -> PublishOutcome {
        state.withLock { state in
            var outcome = PublishOutcome()
            for envelope in batch {
                if state.failuresLeft > 0 {
                    state.failuresLeft -= 1
                    outcome.failures.append(PublishFailure(eventID: envelope.id, description: "refused"))
                    break
                }
                state.published += 1
                outcome.published.append(envelope.id)
            }
            return outcome
        }
    }

    func subscribe(consumer: String, types: Set<String>, deliverBatch: @escaping EventBatchDelivery) async throws {}
}
