import Foundation
import IntegrationEvents
import Messaging
import SQLKit
import ServiceKit
import Shipping
import Storage
import Testing
import TestSupport

@Suite("Shipments on both engines")
struct ShippingStoreTests {
    static func snapshot(_ slipId: String, order: String = "o1", status: String) -> SlipSnapshot {
        SlipSnapshot(
            slipId: slipId, number: "PS-2026-00000\(slipId.suffix(1))", orderId: order, orderNumber: "SO-2026-000001",
            customerId: "c1", warehouse: "MAD", status: status, slipsInOrder: 1,
            items: [StockAllocation(warehouse: "MAD", sku: "PAD", quantity: 2, bin: "A-01", bundleSku: nil)])
    }

    static func packed(_ slipId: String) throws -> EventEnvelope {
        try EventEnvelope(
            source: "/fulfillment", type: FulfillmentSlipPacked.type, subject: slipId,
            payload: FulfillmentSlipPacked(slip: snapshot(slipId, status: "packed"), actor: "staff", at: Date()))
    }

    static func voided(_ slipId: String) throws -> EventEnvelope {
        try EventEnvelope(
            source: "/fulfillment", type: FulfillmentSlipVoided.type, subject: slipId,
            payload: FulfillmentSlipVoided(slip: snapshot(slipId, status: "voided"), at: Date()))
    }

    static func with(_ engine: Engine, _ body: (ShippingStore, EventConsumer) async throws -> Void) async throws {
        try await TestDatabase.with(engine) { database in
            try await database.migrate(
                service: MessagingSchema.service, MessagingSchema.migrations, logger: TestDatabase.logger)
            try await database.migrate(service: "shipping", ShippingMigrations.all, logger: TestDatabase.logger)
            let store = ShippingStore(database: database)
            try await body(store, ShippingConsumer.make(store: store, logger: TestDatabase.logger))
        }
    }

    static func outbox(_ database: Database) async throws -> [String] {
        try await database.read { db in
            try await db.raw("SELECT type FROM outbox ORDER BY seq").all().map {
                try $0.decode(column: "type", as: String.self)
            }
        }
    }

    @Test(arguments: Engine.allCases)
    func aPackedSlipShipsOnceAndItsTrackingIsPublished(engine: Engine) async throws {
        try await Self.with(engine) { store, consumer in
            do {
                _ = try await store.ship(slipId: "s1", carrier: "DHL", trackingNumber: "1Z", actor: "staff")
                Issue.record("an unknown slip shipped")
            } catch let problem as Problem {
                #expect(problem.code == "shipping.slip_not_packed")
            }
            try await consumer.deliver(try Self.packed("s1"))
            let shipment = try await store.ship(slipId: "s1", carrier: "DHL", trackingNumber: "1Z", actor: "staff")
            #expect(shipment.status == .shipped)
            #expect(shipment.slip.items.map(\.quantity) == [2])
            do {
                _ = try await store.ship(slipId: "s1", carrier: "UPS", trackingNumber: "2", actor: "staff")
                Issue.record("a slip shipped twice")
            } catch let problem as Problem {
                #expect(problem.code == "shipping.slip_already_shipped")
            }
            // A tracking number is unique per carrier (carriers compared without case).
            try await consumer.deliver(try Self.packed("s2"))
            do {
                _ = try await store.ship(slipId: "s2", carrier: "dhl", trackingNumber: "1Z", actor: "staff")
                Issue.record("a tracking number was used twice")
            } catch let problem as Problem {
                #expect(problem.code == "shipping.tracking_number_taken")
            }
            #expect(
                try await store.ship(slipId: "s2", carrier: "UPS", trackingNumber: "1Z", actor: "staff").status
                    == .shipped)
            // A void arriving after the shipment changes nothing.
            try await consumer.deliver(try Self.voided("s1"))
            _ = try await store.track(shipment.id, status: .inTransit, at: nil, location: "Hub", actor: "staff")
            _ = try await store.track(shipment.id, status: .inTransit, at: nil, location: "Hub 2", actor: "staff")
            let delivered = try await store.track(
                shipment.id, status: .delivered, at: nil, location: nil, actor: "staff")
            #expect(delivered.tracking.map(\.status) == [.shipped, .inTransit, .inTransit, .delivered])
            #expect(try await store.shipment(shipment.id) == delivered)
            #expect(
                try await Self.outbox(store.database) == [
                    ShipmentShipped.type, ShipmentShipped.type, ShipmentInTransit.type, ShipmentDelivered.type,
                ])
            #expect(try await ShippingService.reconcile(store.database) == [])
            let mine = try await store.list(ShipmentFilter(customerId: "c1"), page: PageRequest(limit: 10))
            #expect(mine.items.count == 2)
            #expect(mine.items.last?.id == shipment.id)
            #expect(try await store.list(ShipmentFilter(customerId: "c2"), page: PageRequest(limit: 10)).items.isEmpty)
        }
    }

    @Test(arguments: Engine.allCases)
    func aVoidedSlipNeverShipsWhicheverEventCameFirst(engine: Engine) async throws {
        try await Self.with(engine) { store, consumer in
            try await consumer.deliver(try Self.packed("s1"))
            try await consumer.deliver(try Self.voided("s1"))
            try await consumer.deliver(try Self.voided("s2"))
            try await consumer.deliver(try Self.packed("s2"))
            for slip in ["s1", "s2"] {
                do {
                    _ = try await store.ship(slipId: slip, carrier: "DHL", trackingNumber: "1Z", actor: "staff")
                    Issue.record("voided slip \(slip) shipped")
                } catch let problem as Problem {
                    #expect(problem.code == "shipping.slip_voided")
                }
            }
            #expect(try await Self.outbox(store.database).isEmpty)
        }
    }

    @Test(arguments: Engine.allCases)
    func concurrentShipmentsOfOneSlipMakeOne(engine: Engine) async throws {
        try await Self.with(engine) { store, consumer in
            try await consumer.deliver(try Self.packed("s1"))
            let results = await withTaskGroup(of: Bool.self) { group in
                for attempt in 0..<8 {
                    group.addTask {
                        (try? await store.ship(
                            slipId: "s1", carrier: "DHL", trackingNumber: "T\(attempt)", actor: "staff"))
                            != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.filter { $0 }.count == 1)
            #expect(try await Self.outbox(store.database) == [ShipmentShipped.type])
        }
    }
}
