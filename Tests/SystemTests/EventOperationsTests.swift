import Composition
import Foundation
import IntegrationEvents
import Messaging
import SQLKit
import ServiceKit
import Storage
import Testing
import TestSupport

/// What `sprocket events dead-letters` and `sprocket events redrive` do, over the embedded system.
@Suite("Dead letters listed and replayed by operators, on both engines")
struct EventOperationsTests {
    @Test(arguments: Engine.allCases)
    func deadLettersAreListedAndAReplayAppliesOnceOrStaysListed(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let registered = CustomerRegistered(
                customerId: "c-late", email: "late@example.com", name: "Late", role: "customer", registeredAt: Date())
            let genuine = try EventEnvelope(
                source: CustomerRegistered.source, type: CustomerRegistered.type, subject: "c-late",
                payload: registered)
            let forged = try EventEnvelope(
                source: "/intruder", type: CustomerRegistered.type, subject: "c-evil", payload: registered)
            // The forged one is a dead letter at once; the genuine one became one while a bug was live.
            try await system.orders.consumer.deliver(forged)
            try await system.orders.store.database.transaction { db in
                try await db.raw(
                    """
                    INSERT INTO dead_letters (consumer, event_id, type, envelope, error, attempts, failed_at)
                    VALUES ('orders', \(bind: genuine.id), \(bind: genuine.type),
                            \(bind: String(decoding: try genuine.jsonData(), as: UTF8.self)), 'a bug, since fixed', 5, 0)
                    """
                ).run()
                try await db.raw(
                    "INSERT INTO inbox (consumer, event_id, received_at) VALUES ('orders', \(bind: genuine.id), 0)"
                ).run()
            }
            let operations = EventOperations(system: system)
            let listed = try await operations.list()
            #expect(listed.map(\.id) == ["orders/1", "orders/2"])
            #expect(listed.map(\.eventID) == [forged.id, genuine.id])
            #expect(listed[0].error.contains("/intruder"))

            let (replayed, failures) = try await operations.redrive(nil)
            #expect(replayed == 1)
            #expect(failures.map(\.id) == ["orders/1"])
            #expect(try await operations.list().map(\.id) == ["orders/1"])
            let replica = try await system.orders.store.database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM customer_replica WHERE customer_id = 'c-late'").first()?
                    .decode(column: "n", as: Int.self)
            }
            #expect(replica == 1)
            // Replaying again changes nothing.
            #expect(try await operations.redrive("orders/1").replayed == 0)
            await #expect(throws: ConfigurationError.self) { try await operations.redrive("orders/99") }
        }
    }
}
