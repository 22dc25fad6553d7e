import Foundation
import Hummingbird
import HummingbirdTesting
import Storage
import Composition
import SalesAPI
import Testing
import TestSupport

@Suite("Sales reports through the router, on both engines")
struct SalesAPITests {
    @Test(arguments: Engine.allCases)
    func reportsEqualTheSumOfTheOrdersThatCountAsJSONAndCSV(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            var kept: [(net: Int, tax: Int, gross: Int)] = []
            /// An amount in cents: "159.22" is 15922.
            func cents(_ amount: String) -> Int { Int(amount.replacingOccurrences(of: ".", with: "")) ?? -1 }
            let orders: [[(sku: String, quantity: Int)]] = [[("PAD", 2)], [("PAD", 1), ("DISC", 1)], [("DISC", 3)]]
            for (index, lines) in orders.enumerated() {
                let placed = try await OrdersAPITests.place(client, lines, token: world.ann)
                try await system.publishPendingEvents()
                if index == 2 {  // the third is cancelled: it must not count
                    _ = try await client.clients(world.ann).orders.cancelOrder(path: .init(id: placed.id)).ok
                    try await system.publishPendingEvents()
                } else {
                    kept.append((cents(placed.subtotal.amount), cents(placed.tax.amount), cents(placed.total.amount)))
                }
            }
            let expected = (
                net: kept.map(\.net).reduce(0, +), tax: kept.map(\.tax).reduce(0, +),
                gross: kept.map(\.gross).reduce(0, +)
            )
            let (staff, admin) = (client.clients(world.staff).sales, client.clients(world.admin).sales)

            let sold = try await staff.listSoldItems().ok.body.json.items
            #expect(sold.map { "\($0.sku) \($0.quantity)" } == ["PAD 3", "DISC 1"])
            #expect(sold.map { cents($0.net.amount) }.reduce(0, +) == expected.net)

            let revenue = try await staff.getRevenue(query: .init(interval: .month)).ok.body.json
            #expect(revenue.total.orders == 2)
            #expect(
                (cents(revenue.total.net.amount), cents(revenue.total.tax.amount), cents(revenue.total.gross.amount))
                    == expected)
            #expect(revenue.items.count == 1)
            let byCountry = try await admin.getSalesByCountry().ok.body.json
            #expect(byCountry.items.map(\.country) == ["DE"])
            #expect(byCountry.items.first.map { cents($0.gross.amount) } == expected.gross)

            // A window that ends before the orders: empty.
            let before = try await staff.getRevenue(query: .init(to: Date(timeIntervalSince1970: 946_684_800))).ok.body
                .json
            #expect(before.items.isEmpty)
            #expect(before.total.orders == 0)

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
