import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Storage
import Composition
import Testing
import TestSupport

@Suite("Stock counts and the default warehouse through the router, on both engines")
struct StockCountAPITests {
    @Test(arguments: Engine.allCases)
    func aCountSetsOnHandAndTheLedgerRecordsTheDifference(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            let path = "/api/v1/warehouses/BER/stock/PAD/counts"
            let counted = try await client.json(
                .post, path, ["onHand": 40, "reason": "cycle count"], token: world.staff)
            #expect(counted.status == .ok, "\(counted.text)")
            #expect(counted.object["onHand"] as? Int == 40)
            let emptied = try await client.json(
                .post, path, ["onHand": 0, "reason": "written off"], token: world.staff)
            #expect(emptied.object["onHand"] as? Int == 0)
            let ledger = try await client.json(.get, "/api/v1/warehouses/BER/stock/PAD/ledger", token: world.staff)
            #expect(ledger.items.prefix(2).map { $0["onHandDelta"] as? Int } == [-40, -60])
            #expect(ledger.items.prefix(2).map { $0["reason"] as? String } == ["written off", "cycle count"])
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
            let second: [String: Any] = ["code": "AAA", "name": "Aachen", "country": "DE"]
            let created = try await client.json(.post, "/api/v1/warehouses", second, token: world.admin)
            #expect(created.object["default"] as? Bool == false)
            let list = try await client.json(.get, "/api/v1/warehouses", token: world.staff)
            #expect(list.items.map { $0["code"] as? String } == ["AAA", "BER"])
            #expect(list.items.map { $0["default"] as? Bool } == [false, true])
        }
    }
}
