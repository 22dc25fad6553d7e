import Foundation
import Hummingbird
import HummingbirdTesting
import Storage
import Composition
import Testing
import TestSupport

@Suite("Sales reports through the router, on both engines")
struct SalesAPITests {
    @Test(arguments: Engine.allCases)
    func reportsEqualTheSumOfTheOrdersThatCountAsJSONAndCSV(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            var kept: [[String: Any]] = []
            for (index, lines) in [
                [["sku": "PAD", "quantity": 2]], [["sku": "PAD", "quantity": 1], ["sku": "DISC", "quantity": 1]],
                [["sku": "DISC", "quantity": 3]],
            ].enumerated() {
                let placed = try await client.json(
                    .post, "/api/v1/orders", OrdersAPITests.orderBody(lines), token: world.ann)
                try await system.publishPendingEvents()
                if index == 2 {  // the third is cancelled: it must not count
                    let id = try #require(placed.object["id"] as? String)
                    #expect(try await client.json(.post, "/api/v1/orders/\(id)/cancel", token: world.ann).status == .ok)
                    try await system.publishPendingEvents()
                } else {
                    kept.append(placed.object)
                }
            }
            func cents(_ money: Any?) -> Int {
                Int(((money as? [String: String])?["amount"] ?? "0").replacingOccurrences(of: ".", with: "")) ?? -1
            }
            let expected = (
                net: kept.map { cents($0["subtotal"]) }.reduce(0, +), tax: kept.map { cents($0["tax"]) }.reduce(0, +),
                gross: kept.map { cents($0["total"]) }.reduce(0, +)
            )

            let sold = try await client.json(.get, "/api/v1/sales/sold-items", token: world.staff)
            #expect(sold.items.map { "\($0["sku"] ?? "") \($0["quantity"] ?? 0)" } == ["PAD 3", "DISC 1"])
            #expect(sold.items.map { cents($0["net"]) }.reduce(0, +) == expected.net)

            let revenue = try await client.json(.get, "/api/v1/sales/revenue?interval=month", token: world.staff)
            let total = try #require(revenue.object["total"] as? [String: Any])
            #expect(total["orders"] as? Int == 2)
            #expect((cents(total["net"]), cents(total["tax"]), cents(total["gross"])) == expected)
            #expect(revenue.items.count == 1)
            let byCountry = try await client.json(.get, "/api/v1/sales/by-country", token: world.admin)
            #expect(byCountry.items.map { $0["country"] as? String } == ["DE"])
            #expect(cents(byCountry.items.first?["gross"]) == expected.gross)

            // A window that ends before the orders: empty.
            let before = try await client.json(
                .get, "/api/v1/sales/revenue?to=2000-01-01T00:00:00Z", token: world.staff)
            #expect(before.items.isEmpty)
            #expect((before.object["total"] as? [String: Any])?["orders"] as? Int == 0)

            // CSV, and staff only.
            let csv = try await client.json(
                .get, "/api/v1/sales/sold-items", token: world.staff, headers: [.accept: "text/csv"])
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(csv.text.hasPrefix("sku,name,quantity,net,orders\r\nPAD,Part PAD,3,"))
            let days = try await client.json(
                .get, "/api/v1/sales/revenue", token: world.staff, headers: [.accept: "text/csv"])
            #expect(days.text.hasPrefix("period,orders,net,tax,gross\r\n"))
            #expect(try await client.json(.get, "/api/v1/sales/sold-items", token: world.ann).status == .forbidden)
            #expect(
                try await client.json(.get, "/api/v1/sales/revenue?interval=week", token: world.staff).status
                    == .badRequest)
        }
    }
}
