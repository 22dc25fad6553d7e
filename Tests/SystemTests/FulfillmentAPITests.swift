import Foundation
import Fulfillment
import FulfillmentAPI
import Hummingbird
import HummingbirdTesting
import Storage
import Composition
import Testing
import TestSupport

@Suite("Packing slips and pick lists through the router, on both engines")
struct FulfillmentAPITests {
    /// Staff's view of the slips of order `id`.
    static func slips(_ client: any TestClientProtocol, order id: String, token: String) async throws
        -> [Components.Schemas.PackingSlip]
    {
        try await client.clients(token).fulfillment.listPackingSlips(query: .init(orderId: id)).ok.body.json.items
    }

    @Test(arguments: Engine.allCases)
    func aConfirmedOrderGetsASlipInPickPathOrderThatStaffPrintsAndPacks(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            for (sku, bin) in [("PAD", "B-02"), ("DISC", "A-01")] {
                _ = try await client.json(
                    .put, "/api/v1/warehouses/BER/stock/\(sku)", ["onHand": 100, "bin": bin], token: world.admin)
            }
            let order = try await OrdersAPITests.place(client, [("PAD", 2), ("DISC", 1)], token: world.ann)
            try await system.publishPendingEvents()

            let slips = try await Self.slips(client, order: order.id, token: world.staff)
            #expect(slips.count == 1)
            let slip = try #require(slips.first)
            #expect(slip.number.range(of: #"^PS-\d{4}-\d{6}$"#, options: .regularExpression) != nil)
            #expect(slip.orderNumber == order.number)
            #expect(slip.warehouse == "BER")
            #expect(slip.status == .open)
            #expect(slip.lines.map { "\($0.bin ?? "-") \($0.sku) \($0.quantity)" } == ["A-01 DISC 1", "B-02 PAD 2"])
            #expect(slip.shipTo.city == "Berlin")

            // Customers do not see the warehouse's paper.
            #expect(try await client.json(.get, "/api/v1/packing-slips", token: world.ann).status == .forbidden)
            #expect(try await client.json(.get, "/api/v1/packing-slips").status == .unauthorized)

            let id = slip.id
            let packed = try await client.clients(world.staff).fulfillment.packPackingSlip(path: .init(id: id)).ok
            #expect(try packed.body.json.status == .packed)
            let again = try await client.json(.post, "/api/v1/packing-slips/\(id)/pack", token: world.staff)
            #expect(again.status == .conflict)
            #expect(again.code == "fulfillment.slip_not_open")
            #expect(again.object["allowed"] as? [String] == ["shipped", "voided"])
            let unknown = try await client.json(.post, "/api/v1/packing-slips/nope-1/pack", token: world.staff)
            #expect(unknown.status == .notFound)
            #expect(unknown.code == "fulfillment.slip_not_found")
            #expect(try await FulfillmentService.reconcile(system.fulfillment.store.database) == [])
        }
    }

    @Test(arguments: Engine.allCases)
    func theSlipPageIsSelfContainedAndEscapesWhatItPrints(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            let hostile = #"<script>alert("x")</script> & 'bolt'"#
            let part: [String: Any] = ["sku": "EVIL", "name": hostile, "price": ["amount": "1.00", "currency": "EUR"]]
            #expect(try await client.json(.post, "/api/v1/parts", part, token: world.admin).status == .created)
            _ = try await client.json(
                .put, "/api/v1/warehouses/BER/stock/EVIL", ["onHand": 5, "bin": "Z-9"], token: world.admin)
            try await system.publishPendingEvents()
            let order = try await OrdersAPITests.place(client, [("EVIL", 1)], token: world.ann)
            try await system.publishPendingEvents()
            let id = try #require(try await Self.slips(client, order: order.id, token: world.staff).first?.id)

            let html = try await client.json(
                .get, "/api/v1/packing-slips/\(id)", token: world.staff,
                headers: [.accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"])
            #expect(html.status == .ok)
            #expect(html.headers[.contentType] == "text/html; charset=utf-8")
            #expect(html.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
            #expect(html.text.hasPrefix("<!DOCTYPE html>"))
            #expect(html.text.contains(#"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;bolt&#39;"#))
            #expect(!html.text.contains("<script"))
            #expect(html.text.contains(order.number))
            #expect(html.text.contains("@page"))
            for external in ["http://", "https://", "src=", "<link", "@import", "url("] {
                #expect(!html.text.contains(external), "the page loads nothing: \(external)")
            }
            // Without a preference for HTML, the slip is JSON.
            for accept in ["application/json", "*/*", "application/json, text/html;q=0.5"] {
                let json = try await client.json(
                    .get, "/api/v1/packing-slips/\(id)", token: world.staff, headers: [.accept: accept])
                #expect(json.headers[.contentType]?.hasPrefix("application/json") == true, "\(accept)")
                #expect(json.object["id"] as? String == id)
            }
        }
    }

    @Test(arguments: Engine.allCases)
    func thePickListSumsOpenSlipsByBinAndCancellingVoidsTheSlips(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            _ = try await client.json(
                .put, "/api/v1/warehouses/BER/stock/PAD", ["onHand": 100, "bin": "B-02"], token: world.admin)
            var orders: [String] = []
            for quantity in [1, 2, 4] {
                orders.append(try await OrdersAPITests.place(client, [("PAD", quantity)], token: world.ann).id)
            }
            try await system.publishPendingEvents()
            let staff = client.clients(world.staff)
            let pick = try await staff.fulfillment.getPickList(path: .init(code: "ber")).ok.body.json
            #expect(pick.slips == 3)
            #expect(pick.lines.map { "\($0.bin ?? "-") \($0.sku) \($0.quantity) \($0.slips)" } == ["B-02 PAD 7 3"])

            // A packed slip is no longer picked; a cancelled order's slip is voided.
            let first = try #require(try await Self.slips(client, order: orders[0], token: world.staff).first?.id)
            _ = try await staff.fulfillment.packPackingSlip(path: .init(id: first)).ok
            _ = try await client.clients(world.ann).orders.cancelOrder(
                path: .init(id: orders[2]), body: .json(.init(reason: "changed my mind"))
            ).ok
            try await system.publishPendingEvents()
            #expect(try await Self.slips(client, order: orders[2], token: world.staff).first?.status == .voided)
            let after = try await staff.fulfillment.getPickList(path: .init(code: "BER")).ok.body.json
            #expect(after.lines.first?.quantity == 2)
            #expect(
                try await staff.fulfillment.listPackingSlips(query: .init(status: .voided)).ok.body.json.items.count
                    == 1)

            let page = try await client.json(
                .get, "/api/v1/warehouses/BER/pick-list", token: world.staff, headers: [.accept: "text/html"])
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(page.text.contains("PAD"))
            // The rest of /warehouses is still inventory's.
            #expect(try await client.json(.get, "/api/v1/warehouses", token: world.staff).items.count == 1)
        }
    }
}
