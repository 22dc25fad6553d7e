import Foundation
import Logging
import Messaging
import NATS
import SQLKit
import Storage
import Synchronization
import Testing
import TestSupport

@Suite("Outbox → NATS JetStream → inbox, end to end")
struct NATSTransportTests {
    static let effects = Migration(version: 1, name: "effects") { engine in
        ["CREATE TABLE effects (seq \(engine.autoIncrementPrimaryKey), event_id TEXT NOT NULL, replica TEXT NOT NULL)"]
    }

    static func prepare(_ database: Database) async throws {
        try await database.migrate(
            service: MessagingSchema.service, MessagingSchema.migrations, logger: TestDatabase.logger)
        try await database.migrate(service: "effects", [effects], logger: TestDatabase.logger)
    }

    static func consumer(_ database: Database, replica: String) -> EventConsumer {
        EventConsumer(
            name: "svc", database: database, logger: TestDatabase.logger,
            handlers: [
                "test.thing.happened": { envelope, db in
                    try await db.raw(
                        "INSERT INTO effects (event_id, replica) VALUES (\(bind: envelope.id), \(bind: replica))"
                    ).run()
                }
            ])
    }

    static func effects(_ database: Database) async throws -> [(event: String, replica: String)] {
        try await database.read { db in
            try await db.raw("SELECT event_id, replica FROM effects ORDER BY seq").all().map {
                (try $0.decode(column: "event_id", as: String.self), try $0.decode(column: "replica", as: String.self))
            }
        }
    }

    /// Runs a transport (client + pull loops) for `consumer` until `body` returns.
    static func running<T: Sendable>(
        _ prefix: String, _ consumers: [EventConsumer], _ body: @escaping @Sendable (NATSTransport) async throws -> T
    ) async throws -> T {
        let server = try TestNATS.server()
        let client = NATSClient(host: server.host, port: server.port, logger: TestDatabase.logger)
        let transport = NATSTransport(
            client: client, stream: prefix.uppercased(), subjectPrefix: prefix, logger: TestDatabase.logger)
        for consumer in consumers { try await consumer.subscribe(to: transport) }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await client.run()
                return nil
            }
            group.addTask {
                try await transport.run()
                return nil
            }
            let result = try await body(transport)
            group.cancelAll()
            return result
        }
    }

    /// Publishes `database`'s outbox until nothing is left, a pass that failed tried again as the relay's
    /// loop does (on a loaded machine the first connection can take longer than one deadline), for at
    /// most a minute.
    static func publishAll(_ relay: OutboxRelay, _ database: Database) async throws {
        let giveUp = ContinuousClock.now + .seconds(60)
        while try await Outbox.pendingCount(in: database) > 0 {
            do {
                if try await relay.publishPending() == 0 { try await Task.sleep(for: .milliseconds(10)) }
            } catch {
                if ContinuousClock.now > giveUp { throw error }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    static func waitFor(_ count: Int, in database: Database) async throws -> Int {
        for _ in 0..<300 {
            let n = try await effects(database).count
            if n >= count { return n }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await effects(database).count
    }

    @Test func twoReplicasShareTheWorkAndEachEventHasOneEffect() async throws {
        let prefix = TestNATS.unique("rep")
        try await TestDatabase.with(.postgres) { database in
            try await Self.prepare(database)
            for n in 0..<40 {
                try await database.transaction { db in
                    try await Outbox.append(
                        try EventEnvelope(
                            source: "/t", type: "test.thing.happened", subject: "\(n)", payload: ["n": n]), in: db)
                }
            }
            try await Self.running(prefix, [Self.consumer(database, replica: "a")]) { transportA in
                try await Self.running(prefix, [Self.consumer(database, replica: "b")]) { _ in
                    // Two relays on one outbox (two replicas of the producer) and one republish of everything.
                    let relayA = OutboxRelay(
                        database: database, transport: transportA, logger: TestDatabase.logger, batchSize: 5)
                    let relayB = OutboxRelay(
                        database: database, transport: transportA, logger: TestDatabase.logger, batchSize: 5)
                    async let a: Void = Self.publishAll(relayA, database)
                    async let b: Void = Self.publishAll(relayB, database)
                    _ = try await (a, b)
                    #expect(try await Outbox.pendingCount(in: database) == 0)
                    let rows = try await database.read { db in
                        try await db.raw("SELECT * FROM outbox ORDER BY seq").all()
                    }
                    for row in rows.prefix(10) {
                        try await transportA.publish(
                            try EventEnvelope(
                                id: try row.decode(column: "id", as: String.self), source: "/t",
                                type: "test.thing.happened",
                                subject: nil, data: Data(try row.decode(column: "data", as: String.self).utf8)
                            ))
                    }
                    #expect(try await Self.waitFor(40, in: database) == 40)
                    try await Task.sleep(for: .milliseconds(500))
                    let effects = try await Self.effects(database)
                    #expect(effects.count == 40)
                    #expect(Set(effects.map(\.event)).count == 40)
                }
            }
        }
    }

    @Test func aConsumerThatWasDownCatchesUp() async throws {
        let prefix = TestNATS.unique("catch")
        try await TestDatabase.with(.sqlite) { consumerDatabase in
            try await Self.prepare(consumerDatabase)
            try await TestDatabase.with(.sqlite) { producerDatabase in
                try await Self.prepare(producerDatabase)
                // The consumer runs once (creating its durable consumer), then stops.
                try await Self.running(prefix, [Self.consumer(consumerDatabase, replica: "first")]) { _ in
                    try await Task.sleep(for: .milliseconds(300))
                }
                // Events are produced while it is down.
                try await Self.running(prefix, []) { transport in
                    for n in 0..<15 {
                        try await producerDatabase.transaction { db in
                            try await Outbox.append(
                                try EventEnvelope(
                                    source: "/t", type: "test.thing.happened", subject: "\(n)", payload: ["n": n]),
                                in: db)
                        }
                    }
                    let relay = OutboxRelay(
                        database: producerDatabase, transport: transport, logger: TestDatabase.logger)
                    try await Self.publishAll(relay, producerDatabase)
                }
                let beforeRestart = try await Self.effects(consumerDatabase)
                #expect(beforeRestart.isEmpty)
                // It comes back and receives everything it missed.
                try await Self.running(prefix, [Self.consumer(consumerDatabase, replica: "second")]) { _ in
                    let caughtUp = try await Self.waitFor(15, in: consumerDatabase)
                    #expect(caughtUp == 15)
                }
                let afterRestart = try await Self.effects(consumerDatabase)
                #expect(Set(afterRestart.map(\.replica)) == ["second"])
            }
        }
    }

    @Test func aBacklogIsTakenInBatchesAndARefusedEventIsRedelivered() async throws {
        let prefix = TestNATS.unique("batch")
        try await TestDatabase.with(.postgres) { database in
            try await Self.prepare(database)
            // The durable consumer exists (it ran once), then 100 events are published while it is down.
            try await Self.running(prefix, [Self.consumer(database, replica: "first")]) { _ in
                try await Task.sleep(for: .milliseconds(300))
            }
            try await Self.running(prefix, []) { transport in
                for n in 0..<100 {
                    try await database.transaction { db in
                        try await Outbox.append(
                            try EventEnvelope(
                                source: "/t", type: "test.thing.happened", subject: "\(n)", payload: ["n": n]),
                            in: db)
                    }
                }
                let relay = OutboxRelay(database: database, transport: transport, logger: TestDatabase.logger)
                try await Self.publishAll(relay, database)
            }
            // Back, it is handed what waits many at a time; event 42 is refused once and comes again.
            let sizes = Mutex<[Int]>([])
            let refused = Atomic<Bool>(false)
            let consumer = Self.consumer(database, replica: "second")
            let server = try TestNATS.server()
            let client = NATSClient(host: server.host, port: server.port, logger: TestDatabase.logger)
            let transport = NATSTransport(
                client: client, stream: prefix.uppercased(), subjectPrefix: prefix, logger: TestDatabase.logger)
            try await transport.subscribe(consumer: "svc", types: consumer.types) { batch in
                sizes.withLock { $0.append(batch.count) }
                if let poisoned = batch.first(where: { $0.subject == "42" }),
                    !refused.exchange(true, ordering: .relaxed)
                {
                    var failures = await consumer.deliver(batch: batch.filter { $0.id != poisoned.id })
                    failures[poisoned.id] = CancellationError()
                    return failures
                }
                return await consumer.deliver(batch: batch)
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await client.run() }
                group.addTask { try await transport.run() }
                #expect(try await Self.waitFor(100, in: database) == 100)
                try await Task.sleep(for: .milliseconds(300))
                group.cancelAll()
            }
            let effects = try await Self.effects(database)
            #expect(effects.count == 100)
            #expect(Set(effects.map(\.event)).count == 100)
            let seen = sizes.withLock { $0 }
            #expect(seen.reduce(0, +) == 101)
            #expect((seen.max() ?? 0) > 1)
        }
    }
}
