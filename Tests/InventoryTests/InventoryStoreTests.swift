import Foundation
import IntegrationEvents
import Inventory
import Messaging
import ServiceKit
import Storage
import Testing
import TestSupport

@Suite("Inventory store and saga on both engines")
struct InventoryStoreTests {
    @Test(arguments: Engine.allCases)
    func warehousesStockAndTheLedger(engine: Engine) async throws {
        try await InventoryFixture.with(engine) { fixture in
            try await fixture.warehouse("mad", "ES", region: "Madrid")
            await #expect(throws: Problem.self) { try await fixture.warehouse("MAD", "ES") }
            #expect(try await fixture.store.warehouses().map(\.code) == ["MAD"])

            let set = try await fixture.store.setStock(
                warehouse: "MAD", sku: "pad", onHand: 10, bin: "A-01", reorderPoint: 3, actor: "admin")
            #expect(set.sku == "PAD" && set.onHand == 10 && set.available == 10 && set.bin == "A-01")
            let adjusted = try await fixture.store.adjust(
                warehouse: "MAD", sku: "PAD", delta: -8, reason: "water damage", actor: "staff")
            #expect(adjusted.onHand == 2)
            #expect(try await fixture.outboxCount(InventoryStockLow.type) == 1)

            do {
                _ = try await fixture.store.setStock(
                    warehouse: "NOPE", sku: "PAD", onHand: 1, bin: nil, reorderPoint: nil, actor: "admin")
                Issue.record("unknown warehouse accepted")
            } catch let problem as Problem {
                #expect(problem.status == 404)
            }
            let ledger = try await fixture.store.ledger(warehouse: "mad", sku: "pad", page: PageRequest(limit: 1))
            #expect(ledger.items.map(\.cause) == [.adjustment])
            #expect(ledger.items.first?.reason == "water damage")
            let rest = try await fixture.store.ledger(
                warehouse: "MAD", sku: "PAD", page: PageRequest(limit: 10, after: [ledger.nextCursor ?? ""]))
            #expect(rest.items.map(\.cause) == [.set])
            #expect(rest.nextCursor == nil)
            #expect(try await InventoryService.reconcile(fixture.database) == [])
        }
    }

    @Test(arguments: Engine.allCases)
    func stockCannotGoBelowWhatIsReservedAndKitsHaveNoStockOfTheirOwn(engine: Engine) async throws {
        try await InventoryFixture.with(engine) { fixture in
            try await fixture.warehouse("MAD", "ES")
            try await fixture.part("PAD")
            try await fixture.part("KIT", components: [("PAD", 2)])
            _ = try await fixture.store.setStock(
                warehouse: "MAD", sku: "PAD", onHand: 5, bin: nil, reorderPoint: nil, actor: "a")
            try await fixture.deliver(try InventoryFixture.placed(InventoryFixture.order("o1", [("KIT", 2)])))
            #expect(try await fixture.stock("MAD", "PAD") == (5, 4))

            for attempt in [
                { try await fixture.store.adjust(warehouse: "MAD", sku: "PAD", delta: -2, reason: "lost", actor: "s") },
                {
                    try await fixture.store.setStock(
                        warehouse: "MAD", sku: "PAD", onHand: 3, bin: nil, reorderPoint: nil, actor: "a")
                },
            ] {
                do {
                    _ = try await attempt()
                    Issue.record("went below reserved")
                } catch let problem as Problem {
                    #expect(problem.code == "inventory.below_reserved")
                }
            }
            do {
                _ = try await fixture.store.setStock(
                    warehouse: "MAD", sku: "KIT", onHand: 3, bin: nil, reorderPoint: nil, actor: "a")
                Issue.record("a kit got stock")
            } catch let problem as Problem {
                #expect(problem.code == "inventory.bundle_has_no_stock")
            }
            #expect(try await fixture.stock("MAD", "PAD") == (5, 4))
            let kit = try #require(try await fixture.store.availability("kit"))
            #expect(kit.isBundle && kit.available == 0)
            let pad = try #require(try await fixture.store.availability("PAD"))
            #expect(pad.available == 1 && pad.warehouses.first?.stock?.reserved == 4)
            #expect(try await fixture.store.availability("UNKNOWN") == nil)
            #expect(try await InventoryService.reconcile(fixture.database) == [])
        }
    }

    @Test(arguments: Engine.allCases)
    func cancellingReleasesOnceAndRedeliveredOrReorderedEventsChangeNothing(engine: Engine) async throws {
        try await InventoryFixture.with(engine) { fixture in
            try await fixture.warehouse("MAD", "ES")
            try await fixture.part("PAD")
            _ = try await fixture.store.setStock(
                warehouse: "MAD", sku: "PAD", onHand: 5, bin: nil, reorderPoint: nil, actor: "a")
            let order = InventoryFixture.order("o1", [("PAD", 3)])
            let placed = try InventoryFixture.placed(order)
            try await fixture.deliver(placed)
            try await fixture.deliver(placed)
            // The same order placed again under another event id (a replayed publish) reserves nothing more.
            try await fixture.deliver(try InventoryFixture.placed(order))
            #expect(try await fixture.stock("MAD", "PAD") == (5, 3))
            #expect(try await fixture.outboxCount(InventoryReserved.type) == 1)

            let cancelled = try InventoryFixture.cancelled(order)
            try await fixture.deliver(cancelled)
            try await fixture.deliver(cancelled)
            try await fixture.deliver(try InventoryFixture.cancelled(order))
            #expect(try await fixture.stock("MAD", "PAD") == (5, 0))
            #expect(try await fixture.outboxCount(InventoryReleased.type) == 1)

            // Cancelled before inventory saw it placed: the late order.placed reserves nothing.
            let early = InventoryFixture.order("o2", [("PAD", 1)])
            try await fixture.deliver(try InventoryFixture.cancelled(early))
            try await fixture.deliver(try InventoryFixture.placed(early))
            #expect(try await fixture.stock("MAD", "PAD") == (5, 0))
            #expect(try await fixture.outboxCount(InventoryReserved.type) == 1)
            #expect(try await fixture.outboxCount(InventoryRejected.type) == 0)
            #expect(try await InventoryService.reconcile(fixture.database) == [])
        }
    }

    /// 1,000 orders of one unit of one SKU with 100 units on hand, all at once: exactly 100 reserved.
    @Test(arguments: Engine.allCases)
    func aThousandConcurrentOrdersForAHundredUnitsReserveExactlyAHundred(engine: Engine) async throws {
        try await InventoryFixture.with(engine) { fixture in
            try await fixture.warehouse("MAD", "ES")
            try await fixture.part("PAD")
            _ = try await fixture.store.setStock(
                warehouse: "MAD", sku: "PAD", onHand: 100, bin: nil, reorderPoint: nil, actor: "a")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<1000 {
                    group.addTask {
                        try await fixture.deliver(
                            try InventoryFixture.placed(InventoryFixture.order("o\(i)", [("PAD", 1)])))
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await fixture.stock("MAD", "PAD") == (100, 100))
            #expect(try await fixture.outboxCount(InventoryReserved.type) == 100)
            #expect(try await fixture.outboxCount(InventoryRejected.type) == 900)
            #expect(try await InventoryService.reconcile(fixture.database) == [])
        }
    }

    /// Kits and loose lines competing for the same part, from two warehouses, all at once.
    @Test(arguments: Engine.allCases)
    func concurrentKitsAndLooseLinesNeverOversell(engine: Engine) async throws {
        try await InventoryFixture.with(engine) { fixture in
            try await fixture.warehouse("MAD", "ES")
            try await fixture.warehouse("CHI", "US")
            try await fixture.part("PAD")
            try await fixture.part("DISC")
            try await fixture.part("KIT", components: [("PAD", 2), ("DISC", 1)])
            _ = try await fixture.store.setStock(
                warehouse: "MAD", sku: "PAD", onHand: 60, bin: nil, reorderPoint: 10, actor: "a")
            _ = try await fixture.store.setStock(
                warehouse: "CHI", sku: "PAD", onHand: 40, bin: nil, reorderPoint: nil, actor: "a")
            _ = try await fixture.store.setStock(
                warehouse: "MAD", sku: "DISC", onHand: 1000, bin: nil, reorderPoint: nil, actor: "a")

            // Half the orders want one loose pad, half a kit (two pads and a disc): they compete for pads.
            let orders = (0..<1000).map { i in
                InventoryFixture.order(
                    "o\(i)", i.isMultiple(of: 2) ? [("PAD", 1)] : [("KIT", 1)], country: i % 3 == 0 ? "US" : "ES")
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for order in orders {
                    group.addTask { try await fixture.deliver(try InventoryFixture.placed(order)) }
                }
                try await group.waitForAll()
            }
            let reservedPads = try await fixture.stock("MAD", "PAD").reserved + fixture.stock("CHI", "PAD").reserved
            #expect(reservedPads == 100)
            let confirmed = try await fixture.outboxCount(InventoryReserved.type)
            let rejected = try await fixture.outboxCount(InventoryRejected.type)
            #expect(confirmed + rejected == 1000)
            #expect(rejected >= 900)
            let kitsReserved = try await fixture.stock("MAD", "DISC").reserved
            #expect((confirmed - kitsReserved) + 2 * kitsReserved == 100)
            #expect(try await fixture.outboxCount(InventoryStockLow.type) == 1)
            #expect(try await InventoryService.reconcile(fixture.database) == [])
        }
    }
}
