import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Storage
import Composition
import InventoryAPI
import Testing
import TestSupport

@Suite("Stock counts and the default warehouse through the router, on both engines")
struct StockCountAPITests {
    @Test(arguments: Engine.allCases)
    func aWarehousesStockListsBySkuByPrefixAndWhatIsLow(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            // PAD 100 on hand; DISC 3 with a reorder point of 5 (low); PADDLE 10 with 10 (low: at it).
            for (sku, price) in [("PADDLE", "5.00")] {
                _ = try await client.json(
                    .post, "/api/v1/parts", ["sku": sku, "name": sku, "price": ["amount": price, "currency": "EUR"]],
                    token: world.admin)
            }
            try await system.publishPendingEvents()
            for (sku, onHand, reorder) in [("DISC", 3, 5), ("PADDLE", 10, 10)] {
                let set = try await client.json(
                    .put, "/api/v1/warehouses/BER/stock/\(sku)", ["onHand": onHand, "reorderPoint": reorder],
                    token: world.admin)
                #expect(set.status == .ok, "\(set.text)")
            }
            func skus(_ query: String, token: String? = nil) async throws -> (HTTPResponse.Status, [String], String?) {
                let answer = try await client.json(
                    .get, "/api/v1/warehouses/ber/stock\(query)", token: token ?? world.staff)
                return (
                    answer.status, answer.items.compactMap { $0["sku"] as? String },
                    answer.object["nextCursor"] as? String
                )
            }
            #expect(try await skus("").1 == ["DISC", "PAD", "PADDLE"])
            #expect(try await skus("?sku=pad").1 == ["PAD", "PADDLE"])
            #expect(try await skus("?low=true").1 == ["DISC", "PADDLE"])
            #expect(try await skus("?low=false&sku=PAD").1 == ["PAD", "PADDLE"])
            let first = try await skus("?limit=2")
            #expect(first.1 == ["DISC", "PAD"])
            #expect(try await skus("?limit=2&cursor=\(try #require(first.2))").1 == ["PADDLE"])
            #expect(try await skus("?low=maybe").0 == .badRequest)
            #expect(try await skus("?sku=%25").0 == .unprocessableContent)
            #expect(try await skus("", token: world.ann).0 == .forbidden)
            let unknown = try await client.json(.get, "/api/v1/warehouses/NOWHERE/stock", token: world.staff)
            #expect(unknown.status == .notFound)

            // An order's reservations: open once reserved, released when it is cancelled; staff only.
            let order = try await OrdersAPITests.place(client, [("PAD", 2)], token: world.ann)
            try await system.publishPendingEvents()
            let reserved = try await client.json(.get, "/api/v1/reservations?orderId=\(order.id)", token: world.staff)
            #expect(reserved.items.map { $0["sku"] as? String } == ["PAD"])
            #expect(reserved.items.map { $0["status"] as? String } == ["open"])
            #expect(reserved.items.first?["quantity"] as? Int == 2)
            _ = try await client.json(
                .post, "/api/v1/orders/\(order.id)/cancel", ["reason": "changed my mind"], token: world.ann)
            try await system.publishPendingEvents()
            let released = try await client.json(.get, "/api/v1/reservations?orderId=\(order.id)", token: world.staff)
            #expect(released.items.map { $0["status"] as? String } == ["released"])
            #expect(try await client.json(.get, "/api/v1/reservations?orderId=x", token: world.staff).items.isEmpty)
            let customer = try await client.json(.get, "/api/v1/reservations?orderId=\(order.id)", token: world.ann)
            #expect(customer.status == .forbidden)
            let long = String(repeating: "a", count: 65)
            #expect(
                try await client.json(.get, "/api/v1/reservations?orderId=\(long)", token: world.staff).status
                    == .unprocessableContent)
            #expect(
                try await client.json(.get, "/api/v1/reservations", token: world.staff).status == .unprocessableContent)
        }
    }

    @Test(arguments: Engine.allCases)
    func aCountSetsOnHandAndTheLedgerRecordsTheDifference(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            let path = "/api/v1/warehouses/BER/stock/PAD/counts"
            let inventory = client.clients(world.staff).inventory
            func count(_ onHand: Int, _ reason: String) async throws -> Int {
                try await inventory.countStock(
                    path: .init(code: "BER", sku: "PAD"), body: .json(.init(onHand: onHand, reason: reason))
                ).ok.body.json.onHand
            }
            #expect(try await count(40, "cycle count") == 40)
            #expect(try await count(0, "written off") == 0)
            let ledger = try await inventory.getStockLedger(path: .init(code: "BER", sku: "PAD")).ok.body.json.items
            #expect(ledger.prefix(2).map(\.onHandDelta) == [-40, -60])
            #expect(ledger.prefix(2).map(\.reason) == ["written off", "cycle count"])
            let refused = try await client.json(.post, path, ["reason": "no count"], token: world.staff)
            #expect(refused.status == .unprocessableContent)
            // In GraphQL, adjustStock takes a delta or a count, not both; without a warehouse, the default.
            let both = try await client.json(
                .post, "/graphql",
                ["query": #"mutation { adjustStock(sku: "PAD", delta: 1, onHand: 1, reason: "x") { onHand } }"#],
                token: world.staff)
            #expect(both.text.contains("validation.failed"))
            let count = try await client.json(
                .post, "/graphql",
                ["query": #"mutation { adjustStock(sku: "PAD", onHand: 7, reason: "recount") { warehouse onHand } }"#],
                token: world.staff)
            #expect(count.text.contains(#""onHand":7"#), "\(count.text)")
            #expect(count.text.contains(#""warehouse":"BER""#))
            let delta = try await client.json(
                .post, "/graphql",
                [
                    "query":
                        #"mutation { adjustStock(sku: "PAD", warehouse: "BER", delta: 3, reason: "found") { onHand } }"#
                ],
                token: world.staff)
            #expect(delta.text.contains(#""onHand":10"#), "\(delta.text)")
            let customer = try await client.json(.post, path, ["onHand": 5, "reason": "x"], token: world.ann)
            #expect(customer.status == .forbidden)
        }
    }

    @Test(arguments: Engine.allCases)
    func theOldestWarehouseIsTheDefault(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            let created = try await client.clients(world.admin).inventory.createWarehouse(
                body: .json(.init(code: "AAA", name: "Aachen", country: .de))
            ).created.body.json
            #expect(created._default == false)
            let list = try await client.clients(world.staff).inventory.listWarehouses().ok.body.json.items
            #expect(list.map(\.code) == ["AAA", "BER"])
            #expect(list.map(\._default) == [false, true])
        }
    }
}
