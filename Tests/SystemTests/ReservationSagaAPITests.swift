import Foundation
import Hummingbird
import HummingbirdTesting
import Inventory
import Orders
import OrdersAPI
import ServiceKit
import Storage
import Composition
import Testing
import TestSupport

@Suite("The reservation saga through the router, on both engines")
struct ReservationSagaAPITests {
    /// 200 orders of one PAD each, all at once through the router, for 20 units on hand: 20 confirmed,
    /// 180 cancelled out_of_stock. (`InventoryStoreTests` runs 1,000 for 100 units on each engine at the
    /// store; this one covers the whole saga through both services at a size a test run can afford.)
    @Test(arguments: Engine.allCases)
    func concurrentOrdersForFewerUnitsConfirmExactlyWhatIsInStock(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            _ = try await client.json(.put, "/api/v1/warehouses/BER/stock/PAD", ["onHand": 20], token: world.admin)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<200 {
                    group.addTask {
                        // As a client should: its own key, and the same request again after a 503 (a CI
                        // machine running the fault tests beside this one can keep a statement past its
                        // deadline) or a 409 while that key's first attempt is still in progress.
                        let key = UUID().uuidString
                        var status = 0
                        for _ in 0..<40 {
                            status = try await client.json(
                                .post, "/api/v1/orders", OrdersAPITests.orderBody([["sku": "PAD", "quantity": 1]]),
                                token: world.ann, headers: [.init("Idempotency-Key")!: key]
                            ).status.code
                            guard status == 503 || status == 409 else { break }
                            try await Task.sleep(for: .milliseconds(250))
                        }
                        return status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == 201 }, "statuses: \(Set(statuses).sorted())")
            try await system.publishPendingEvents()

            func count(_ status: OrderStatus) async throws -> Int {
                var total = 0
                var page = PageRequest(limit: 200)
                while true {
                    let result = try await system.orders.store.list(OrderFilter(status: status), page: page)
                    total += result.items.count
                    guard let cursor = result.nextCursor else { return total }
                    page = try PageRequest(limit: 200, cursor: cursor, keyCount: 2)
                }
            }
            // Confirmed, and at once sent to the warehouse (fulfillment made their slips).
            #expect(try await count(.confirmed) + count(.sentToWarehouse) == 20)
            #expect(try await count(.cancelled) == 180)
            let stock = try await client.clients(world.staff).inventory.getAvailability(path: .init(sku: "PAD")).ok.body
                .json
            #expect(stock.available == 0)
            #expect(stock.warehouses?.first?.reserved == 20)
            let cancelled = try #require(
                try await system.orders.store.list(OrderFilter(status: .cancelled), page: PageRequest(limit: 1)).items
                    .first)
            #expect(
                try await system.orders.store.history(cancelled.id).last?.reason
                    == "out_of_stock: PAD (ordered 1, available 0)")
            #expect(try await InventoryService.reconcile(system.inventory.store.database) == [])
            #expect(try await OrdersService.reconcile(system.orders.store.database) == [])
        }
    }

    /// With auto-confirm off, a reserved order waits for staff; staff confirm only what is reserved.
    @Test(arguments: Engine.allCases)
    func withAutoConfirmOffStaffConfirmReservedOrders(engine: Engine) async throws {
        try await SystemHarness.with(
            engine, configure: { $0.settings.options[OrdersService.autoConfirm.name] = "false" }
        ) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            let id = try await OrdersAPITests.place(client, [("PAD", 3)], token: world.ann).id
            let early = try await client.json(
                .post, "/api/v1/orders/\(id)/status", ["status": "confirmed"], token: world.staff)
            #expect(early.code == "order.not_reserved")
            try await system.publishPendingEvents()
            let waiting = try await client.clients(world.ann).orders.getOrder(path: .init(id: id)).ok.body.json
            #expect(waiting.status == .pendingConfirmation)
            #expect(
                try await client.clients().inventory.getAvailability(path: .init(sku: "PAD")).ok.body.json.available
                    == 97)
            let confirmed = try await client.clients(world.staff).orders.moveOrder(
                path: .init(id: id), body: .json(.init(status: .confirmed, reason: "checked"))
            ).ok.body.json
            #expect(confirmed.status == .confirmed)
        }
    }
}
