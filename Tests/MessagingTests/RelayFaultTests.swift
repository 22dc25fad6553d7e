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

/// Accepts every event after `delay`, counting them.
final class SlowTransport: Transport, Sendable {
    private let delay: Duration
    private let seen = Mutex<(count: Int, ids: Set<String>)>((0, []))

    init(delay: Duration) { self.delay = delay }

    var count: Int { seen.withLock { $0.count } }
    var distinct: Int { seen.withLock { $0.ids.count } }

    func publish(_ envelope: EventEnvelope) async throws {
        try await Task.sleep(for: delay)
        seen.withLock {
            $0.count += 1
            $0.ids.insert(envelope.id)
        }
    }

    func subscribe(consumer: String, types: Set<String>, deliver: @escaping EventDelivery) async throws {}
}
