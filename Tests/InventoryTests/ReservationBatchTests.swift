import Foundation
import IntegrationEvents
import Inventory
import Messaging
import ServiceKit
import Storage
import Testing
import TestSupport

/// Placed orders that arrive together are decided together: in their order, each against the stock the
/// ones before it left, with each order's own ledger entries and one stock event per row.
@Suite("Reservations decided a batch at a time, on both engines")
struct ReservationBatchTests {
    @Test(arguments: Engine.allCases)
    func aBatchIsDecidedInOrderEachOrderAgainstWhatTheOnesBeforeLeft(engine: Engine) async throws {
        try await InventoryFixture.with(engine) { fixture in
            try await fixture.warehouse("MAD", "ES")
            try await fixture.warehouse("CHI", "US")
            try await fixture.part("PAD")
            try await fixture.part("KIT", components: [("PAD", 2)])
            _ = try await fixture.store.setStock(
                warehouse: "MAD", sku: "PAD", onHand: 5, bin: "A-1", reorderPoint: 1, actor: "a")
            _ = try await fixture.store.setStock(
                warehouse: "CHI", sku: "PAD", onHand: 2, bin: nil, reorderPoint: nil, actor: "a")
            let cancelledFirst = InventoryFixture.order("o5", [("PAD", 1)])
            try await fixture.deliver(try InventoryFixture.cancelled(cancelledFirst))
            let changedBefore = try await fixture.outboxCount(InventoryStockChanged.type)
            let lowBefore = try await fixture.outboxCount(InventoryStockLow.type)

            let o1 = InventoryFixture.order("o1", [("KIT", 1)])
            let batch = [
                try InventoryFixture.placed(o1),
                try InventoryFixture.placed(InventoryFixture.order("o2", [("kit", 1)])),
                try InventoryFixture.placed(InventoryFixture.order("o3", [("PAD", 3)])),
                try InventoryFixture.placed(InventoryFixture.order("o4", [("PAD", 1)])),
                try InventoryFixture.placed(cancelledFirst),
                try InventoryFixture.placed(o1),  // the same order placed again, under another event id
            ]
            #expect(await fixture.service.consumer.deliver(batch: batch).isEmpty)

            // o1 and o2 took 2 each from Madrid; o3 (3) took Madrid's last one and Chicago's two; o4 found none.
            #expect(try await fixture.stock("MAD", "PAD") == (5, 5))
            #expect(try await fixture.stock("CHI", "PAD") == (2, 2))
            #expect(try await fixture.store.reservations(of: "o1").map(\.quantity) == [2])
            #expect(try await fixture.store.reservations(of: "o3").map(\.quantity).sorted() == [1, 2])
            #expect(try await fixture.store.reservations(of: "o4").isEmpty)
            #expect(try await fixture.store.reservations(of: "o5").isEmpty)
            #expect(try await fixture.outboxCount(InventoryReserved.type) == 3)
            #expect(try await fixture.outboxCount(InventoryRejected.type) == 1)
            // One stock event per row the batch changed, and Madrid's fall to its reorder point once.
            #expect(try await fixture.outboxCount(InventoryStockChanged.type) - changedBefore == 2)
            #expect(try await fixture.outboxCount(InventoryStockLow.type) - lowBefore == 1)
            // Each order's ledger entries are its own, with the row as that order left it.
            let ledger = try await fixture.store.ledger(warehouse: "MAD", sku: "PAD", page: PageRequest(limit: 10))
            let reservations = ledger.items.filter { $0.cause == .reserve }.sorted { $0.seq < $1.seq }
            #expect(reservations.map(\.orderId) == ["o1", "o2", "o3"])
            #expect(reservations.map(\.reservedAfter) == [2, 4, 5])
            #expect(try await InventoryService.reconcile(fixture.database) == [])
        }
    }

    @Test(arguments: Engine.allCases)
    func aBatchWithAnOrderThatCannotBeDecidedYetCommitsTheOthers(engine: Engine) async throws {
        try await InventoryFixture.with(engine) { fixture in
            try await fixture.warehouse("MAD", "ES")
            try await fixture.part("PAD")
            _ = try await fixture.store.setStock(
                warehouse: "MAD", sku: "PAD", onHand: 5, bin: nil, reorderPoint: nil, actor: "a")
            let unknown = try InventoryFixture.placed(InventoryFixture.order("o2", [("NOT-YET", 1)]))
            let failures = await fixture.service.consumer.deliver(batch: [
                try InventoryFixture.placed(InventoryFixture.order("o1", [("PAD", 1)])), unknown,
                try InventoryFixture.placed(InventoryFixture.order("o3", [("PAD", 2)])),
            ])
            #expect(Array(failures.keys) == [unknown.id])
            #expect(try await fixture.stock("MAD", "PAD") == (5, 3))
            #expect(try await fixture.outboxCount(InventoryReserved.type) == 2)

            // Once the catalog has told inventory about the part, the order is decided.
            try await fixture.part("NOT-YET")
            #expect(await fixture.service.consumer.deliver(batch: [unknown]).isEmpty)
            #expect(try await fixture.outboxCount(InventoryRejected.type) == 1)
        }
    }
}
