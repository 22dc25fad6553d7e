import Foundation
import IntegrationEvents
import Messaging
import SQLKit
import ServiceKit
import Storage
import Testing
import TestSupport

@testable import Orders

/// The saga's batches worked out before the transaction (``OrdersStore/planConfirmations(_:now:)``,
/// ``OrdersStore/planSlips(_:now:)``) and written in it only while what was read still holds.
@Suite("Orders: saga batches planned before their transaction, on both engines")
struct OrdersSagaPlanTests {
    static func slipCreated(_ order: Order, slip: String, of count: Int) throws -> EventEnvelope {
        let event = FulfillmentSlipCreated(
            slip: SlipSnapshot(
                slipId: slip, number: "PS-\(slip)", orderId: order.id, orderNumber: order.number,
                customerId: order.customerId, warehouse: "MAD", status: "created", slipsInOrder: count, items: []),
            at: Date())
        return try EventEnvelope(
            source: "/fulfillment", type: FulfillmentSlipCreated.type, subject: slip, payload: event)
    }

    static func delivered<Event: IntegrationEvent>(_ envelope: EventEnvelope, as _: Event.Type) throws
        -> Delivered<Event>
    {
        Delivered(event: try envelope.decode(Event.self))
    }

    /// A batch of reservations confirms every pending order once, through the plan made before the
    /// transaction, with the same history and events as one at a time.
    @Test(arguments: Engine.allCases)
    func aBatchOfReservationsConfirmsEachPendingOrderOnce(engine: Engine) async throws {
        try await OrdersStoreTests.withService(engine, autoConfirm: true) { service in
            var orders: [Order] = []
            for _ in 0..<3 {
                orders.append(
                    try await service.store.place(OrdersStoreTests.draft(), customerId: "c1", idempotencyKey: nil))
            }
            _ = try await service.store.move(orders[1].id, to: .cancelled, actor: "c1", reason: nil)
            let batch = try orders.map { try OrdersStoreTests.reserved($0.id) }
            #expect(await service.consumer.deliver(batch: batch + [batch[0]]).isEmpty)
            #expect(try await service.store.order(orders[0].id)?.status == .confirmed)
            #expect(try await service.store.order(orders[1].id)?.status == .cancelled)
            #expect(try await service.store.order(orders[2].id)?.status == .confirmed)
            #expect(try await service.store.history(orders[0].id).map(\.to) == [.pendingConfirmation, .confirmed])
            #expect(try await service.store.history(orders[0].id).last?.actor == "inventory")
            let events = try await OrdersStoreTests.outbox(service.store.database).map(\.type)
            #expect(events.filter { $0 == OrderConfirmed.type }.count == 2)
            #expect(events.filter { $0 == OrderStatusChanged.type }.count == 3)  // two confirmed, one cancelled
            let allocations = try await service.store.database.read { db in
                try await service.store.reservation(orders[2].id, in: db)
            }
            #expect(allocations?.first?.bin == "A-1")
        }
    }

    /// A plan whose order moved after it was read fails the transaction and writes nothing; the same
    /// reservations without a plan then leave the moved order as it is and confirm the others.
    @Test(arguments: Engine.allCases)
    func aPlanThatNoLongerHoldsWritesNothing(engine: Engine) async throws {
        try await OrdersStoreTests.withService(engine, autoConfirm: true) { service in
            let first = try await service.store.place(OrdersStoreTests.draft(), customerId: "c1", idempotencyKey: nil)
            let second = try await service.store.place(OrdersStoreTests.draft(), customerId: "c1", idempotencyKey: nil)
            let reservations = try [first, second].map {
                try Self.delivered(try OrdersStoreTests.reserved($0.id), as: InventoryReserved.self)
            }
            let plan = try await service.store.planConfirmations(reservations)
            #expect(plan.steps.count == 2)
            _ = try await service.store.move(second.id, to: .cancelled, actor: "c1", reason: nil)
            await #expect(throws: Problem.self) {
                try await service.store.database.transaction { db in
                    try await service.store.recordReservations(reservations, autoConfirm: true, plan: plan, in: db)
                }
            }
            #expect(try await service.store.order(first.id)?.status == .pendingConfirmation)
            let reservation = try await service.store.database.read { db in
                try await service.store.reservation(first.id, in: db)
            }
            #expect(reservation == nil)
            try await service.store.database.transaction { db in
                try await service.store.recordReservations(reservations, autoConfirm: true, plan: nil, in: db)
            }
            #expect(try await service.store.order(first.id)?.status == .confirmed)
            #expect(try await service.store.order(second.id)?.status == .cancelled)
        }
    }

    /// Slips move their orders to the warehouse once all of an order's slips are there, through the
    /// plan; an order whose slips changed after the plan was made is worked out again in the transaction.
    @Test(arguments: Engine.allCases)
    func slipsMoveTheirOrdersOnceAllAreThere(engine: Engine) async throws {
        try await OrdersStoreTests.withService(engine, autoConfirm: true) { service in
            let single = try await service.store.place(OrdersStoreTests.draft(), customerId: "c1", idempotencyKey: nil)
            let double = try await service.store.place(OrdersStoreTests.draft(), customerId: "c1", idempotencyKey: nil)
            #expect(
                await service.consumer.deliver(batch: [
                    try OrdersStoreTests.reserved(single.id), try OrdersStoreTests.reserved(double.id),
                ]).isEmpty)
            let confirmed = try #require(try await service.store.order(double.id))
            // Planned with one of the second order's two slips: it stays confirmed in the plan.
            let firstHalf = try Self.delivered(
                try Self.slipCreated(confirmed, slip: "d-1", of: 2), as: FulfillmentSlipCreated.self)
            let plan = try await service.store.planSlips([firstHalf])
            #expect(plan.advances[double.id] == nil)
            // Its other slip arrives first: written with the stale plan, the order still goes to the
            // warehouse, as the slips in the table say.
            let secondHalf = try Self.slipCreated(confirmed, slip: "d-2", of: 2)
            #expect(await service.consumer.deliver(batch: [secondHalf]).isEmpty)
            #expect(try await service.store.order(double.id)?.status == .confirmed)
            try await service.store.database.transaction { db in
                try await service.store.recordSlips([firstHalf], plan: plan, in: db)
            }
            #expect(try await service.store.order(double.id)?.status == .sentToWarehouse)
            // A batch through the consumer (planned there): the single-slip order moves once.
            let slip = try Self.slipCreated(single, slip: "s-1", of: 1)
            #expect(
                await service.consumer.deliver(batch: [slip, try Self.slipCreated(single, slip: "s-1", of: 1)]).isEmpty)
            #expect(try await service.store.order(single.id)?.status == .sentToWarehouse)
            #expect(
                try await service.store.history(single.id).map(\.to) == [
                    .pendingConfirmation, .confirmed, .sentToWarehouse,
                ])
            #expect(try await service.store.history(double.id).last?.actor == "fulfillment")
        }
    }
}
