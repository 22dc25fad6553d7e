import Foundation
import IntegrationEvents
import Messaging
import SQLKit
import Storage
import Synchronization
import Testing
import TestSupport

/// ``EventConsumer/onBatch(_:prepare:_:)``: work done before the transaction, used while it holds.
@Suite("Events prepared before their transaction, on both engines")
struct ConsumerPlanTests {
    struct Counted: IntegrationEvent {
        static let type = "test.counted"
        static let source = "/test"
        static let schemaVersion = 1
        var n: Int
        var subject: String { "counted-\(n)" }
    }

    /// What the handler saw: for each call, the events' numbers and whether it had a preparation.
    final class Calls: Sendable {
        let prepared = Mutex<[[Int]]>([])
        let applied = Mutex<[(numbers: [Int], planned: Bool)]>([])
    }

    /// A consumer whose preparation notes each event's number (with `stale`, refused in the transaction).
    static func consumer(_ database: Database, calls: Calls, stale: Bool) -> EventConsumer {
        var consumer = EventConsumer(name: "planner", database: database, logger: TestDatabase.logger)
        consumer.onBatch(
            Counted.self,
            prepare: { events -> Set<Int> in
                calls.prepared.withLock { $0.append(events.map(\.event.n)) }
                return Set(events.map(\.event.n))
            }
        ) { events, plan, db in
            calls.applied.withLock { $0.append((events.map(\.event.n), plan != nil)) }
            if let plan {
                guard !stale else { throw Stale() }
                #expect(events.allSatisfy { plan.contains($0.event.n) })
            }
            for event in events {
                try await db.raw("INSERT INTO effects (event_id) VALUES (\(bind: "counted-\(event.event.n)"))").run()
            }
        }
        return consumer
    }

    struct Stale: Error {}

    static func envelope(_ n: Int) throws -> EventEnvelope {
        try EventEnvelope(Counted(n: n))
    }

    /// A batch is prepared once, with every event of the type in it, and applied with the preparation;
    /// events the inbox has seen are prepared but not applied again.
    @Test(arguments: Engine.allCases)
    func aBatchIsPreparedOnceAndAppliedWithItsPreparation(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            try await MessagingFixture.prepare(database)
            let calls = Calls()
            let consumer = Self.consumer(database, calls: calls, stale: false)
            let envelopes = try (0..<5).map(Self.envelope)
            try await consumer.deliver(envelopes[0])
            #expect(await consumer.deliver(batch: envelopes).isEmpty)
            #expect(try await MessagingFixture.effectCount(database) == 5)
            #expect(calls.prepared.withLock { $0 } == [[0, 1, 2, 3, 4]])
            let applied = calls.applied.withLock { $0 }
            #expect(applied.map(\.numbers) == [[0], [1, 2, 3, 4]])
            #expect(applied.map(\.planned) == [false, true])
        }
    }

    /// When what was prepared no longer holds (the handler throws), nothing of the batch is written and
    /// each event is applied on its own, without the preparation.
    @Test(arguments: Engine.allCases)
    func aPreparationThatNoLongerHoldsLeavesEachEventToItself(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            try await MessagingFixture.prepare(database)
            let calls = Calls()
            let consumer = Self.consumer(database, calls: calls, stale: true)
            let envelopes = try (0..<3).map(Self.envelope)
            #expect(await consumer.deliver(batch: envelopes).isEmpty)
            #expect(try await MessagingFixture.effectCount(database) == 3)
            let applied = calls.applied.withLock { $0 }
            #expect(applied.map(\.numbers) == [[0, 1, 2], [0], [1], [2]])
            #expect(applied.map(\.planned) == [true, false, false, false])
        }
    }
}
