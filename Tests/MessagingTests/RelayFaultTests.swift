import Foundation
import Messaging
import SQLKit
import Storage
import Synchronization
import Testing
import TestSupport

/// The relay under faults: a database that restarts under it, a transport that stops answering.
@Suite("Outbox relay under faults", .serialized)
struct RelayFaultTests {
    /// Regression (faults review 1.1): a PostgreSQL immediate restart while the relay had work left it
    /// hung for good. The outbox must drain by itself once the server is back.
    @Test func theOutboxDrainsByItselfAfterPostgreSQLRestartsUnderTheRelay() async throws {
        let server = try PostgresServerProcess()
        defer { server.remove() }
        let location = try DatabaseLocation(parsing: server.url)
        try await Database.with(location, logger: TestDatabase.logger) { database in
            try await MessagingFixture.prepare(database)
            let total = 3_000
            for chunk in stride(from: 0, to: total, by: 500) {
                try await database.transaction { db in
                    for n in chunk..<(chunk + 500) { try await Outbox.append(try MessagingFixture.envelope(n), in: db) }
                }
            }
            let transport = SlowTransport(delay: .milliseconds(1))
            let relay = OutboxRelay(database: database, transport: transport, logger: TestDatabase.logger)
            let running = Task { try await relay.run() }
            defer { running.cancel() }
            while transport.count < 300 { try await Task.sleep(for: .milliseconds(20)) }
            try server.stopImmediately()
            try await Task.sleep(for: .seconds(2))
            try server.start()
            var pending = total
            for _ in 0..<300 where pending > 0 {
                try await Task.sleep(for: .milliseconds(100))
                pending = (try? await Outbox.pendingCount(in: database)) ?? pending
            }
            #expect(pending == 0, "the relay did not drain the outbox within 30 s of the restart")
            #expect(transport.distinct == total)
        }
    }
}

extension RelayFaultTests {
    /// A broker that takes an event and never answers (and ignores cancellation) held the relay for
    /// good; the relay's publish deadline lets it go on, and the event is published on a later pass.
    @Test(arguments: Engine.allCases)
    func aPublishThatNeverAnswersDoesNotHoldTheRelay(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            try await MessagingFixture.prepare(database)
            for n in 0..<20 {
                try await database.transaction { db in try await Outbox.append(try MessagingFixture.envelope(n), in: db)
                }
            }
            let transport = FirstPublishHangsTransport()
            let relay = OutboxRelay(
                database: database, transport: transport, logger: TestDatabase.logger, publishDeadline: .seconds(1))
            let running = Task { try await relay.run() }
            defer { running.cancel() }
            var pending = 20
            for _ in 0..<100 where pending > 0 {
                try await Task.sleep(for: .milliseconds(100))
                pending = try await Outbox.pendingCount(in: database)
            }
            #expect(pending == 0)
            #expect(transport.accepted == 20)
        }
    }
}

/// Never answers the first publish (not even to cancellation); accepts every later one.
final class FirstPublishHangsTransport: Transport, Sendable {
    private let state = Mutex<(calls: Int, accepted: Set<String>)>((0, []))
    var accepted: Int { state.withLock { $0.accepted.count } }

    func publish(batch: [EventEnvelope], deadline: Duration) async -> PublishOutcome {
        let first = state.withLock { state -> Bool in
            state.calls += 1
            return state.calls == 1
        }
        if first {
            await withCheckedContinuation { (_: CheckedContinuation<Void, Never>) in }  // never resumed
        }
        state.withLock { $0.accepted.formUnion(batch.map(\.id)) }
        var outcome = PublishOutcome()
        outcome.published = batch.map(\.id)
        return outcome
    }

    func subscribe(consumer: String, types: Set<String>, deliverBatch: @escaping EventBatchDelivery) async throws {}
}

/// Accepts every event after `delay`, counting them.
final class SlowTransport: Transport, Sendable {
    private let delay: Duration
    private let seen = Mutex<(count: Int, ids: Set<String>)>((0, []))

    init(delay: Duration) { self.delay = delay }

    var count: Int { seen.withLock { $0.count } }
    var distinct: Int { seen.withLock { $0.ids.count } }

    /// Takes the events one at a time, each after `delay`, until the deadline.
    func publish(batch: [EventEnvelope], deadline: Duration) async -> PublishOutcome {
        var outcome = PublishOutcome()
        for envelope in batch {
            guard (try? await Task.sleep(for: delay)) != nil else { break }
            seen.withLock {
                $0.count += 1
                $0.ids.insert(envelope.id)
            }
            outcome.published.append(envelope.id)
        }
        return outcome
    }

    func subscribe(consumer: String, types: Set<String>, deliverBatch: @escaping EventBatchDelivery) async throws {}
}
