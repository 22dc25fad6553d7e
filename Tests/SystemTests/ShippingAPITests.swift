import Foundation
import Hummingbird
import HummingbirdTesting
import Inventory
import InventoryAPI
import Orders
import Shipping
import ShippingAPI
import Storage
import Composition
import Testing
import TestSupport

@Suite("Shipments through the router: the order follows its slips to the door, on both engines")
struct ShippingAPITests {
    /// Ships slip `slipId` as `token`.
    static func ship(_ client: any TestClientProtocol, _ slipId: String, token: String, tracking: String = "1Z999")
        async throws -> JSONResponse
    {
        try await client.json(
            .post, "/api/v1/shipments", ["packingSlipId": slipId, "carrier": "DHL", "trackingNumber": tracking],
            token: token)
    }

    static func status(_ client: any TestClientProtocol, _ orderId: String, token: String) async throws -> String {
        try await client.clients(token).orders.getOrder(path: .init(id: orderId)).ok.body.json.status.rawValue
    }

    @Test(arguments: Engine.allCases)
    func aKitAndLoosePartsSplitOverTwoWarehousesShipAndAreDeliveredSlipBySlip(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            // A kit of two pads and a disc; pads only in Berlin, discs only in Munich: the order (the kit
            // and loose parts) splits into two slips, each with the kit's header and its part of the kit.
            let kit: [String: Any] = [
                "sku": "KIT-BRAKE", "name": "Brake kit", "price": ["amount": "120.00", "currency": "EUR"],
                "components": [["sku": "PAD", "quantity": 2], ["sku": "DISC", "quantity": 1]],
            ]
            #expect(try await client.json(.post, "/api/v1/parts", kit, token: world.admin).status == .created)
            _ = try await client.json(
                .post, "/api/v1/warehouses", ["code": "MUC", "name": "Munich", "country": "DE"], token: world.admin)
            _ = try await client.json(
                .put, "/api/v1/warehouses/BER/stock/PAD", ["onHand": 100, "bin": "B-07"], token: world.admin)
            _ = try await client.json(.put, "/api/v1/warehouses/BER/stock/DISC", ["onHand": 0], token: world.admin)
            _ = try await client.json(
                .put, "/api/v1/warehouses/MUC/stock/DISC", ["onHand": 10, "bin": "A-02"], token: world.admin)
            // A new customer registers and orders.
            let registration = ["email": "dora@example.com", "password": "correct-horse-battery", "name": "Dora"]
            #expect(try await client.json(.post, "/api/v1/customers", registration).status == .created)
            let dora = try #require(
                try await client.json(
                    .post, "/api/v1/auth/token", ["email": "dora@example.com", "password": "correct-horse-battery"]
                ).object["accessToken"] as? String)
            try await system.publishPendingEvents()
            let placed = try await client.json(
                .post, "/api/v1/orders",
                OrdersAPITests.orderBody([
                    ["sku": "KIT-BRAKE", "quantity": 1], ["sku": "PAD", "quantity": 1], ["sku": "DISC", "quantity": 1],
                ]),
                token: dora)
            let orderId = try #require(placed.object["id"] as? String)
            try await system.publishPendingEvents()
            #expect(try await Self.status(client, orderId, token: dora) == "sent_to_warehouse")
            let slips = try await FulfillmentAPITests.slips(client, order: orderId, token: world.staff)
            #expect(slips.count == 2)
            let byWarehouse = Dictionary(uniqueKeysWithValues: slips.map { ($0.warehouse, $0) })
            func lines(_ warehouse: String) -> [String] {
                (byWarehouse[warehouse]?.lines ?? []).map {
                    "\($0.kind.rawValue) \($0.sku) \($0.quantity) \($0.bin ?? "-")"
                }
            }
            #expect(lines("BER") == ["kit KIT-BRAKE 1 -", "component PAD 2 B-07", "part PAD 1 B-07"])
            // Groups in bin order; on the same bin, by SKU.
            #expect(lines("MUC") == ["part DISC 1 A-02", "kit KIT-BRAKE 1 -", "component DISC 1 A-02"])
            let berlin = try #require(byWarehouse["BER"]?.id)
            let munich = try #require(byWarehouse["MUC"]?.id)

            // Not packed yet: it cannot ship. Customers cannot ship.
            #expect(try await Self.ship(client, berlin, token: world.staff).code == "shipping.slip_not_packed")
            for slip in [berlin, munich] {
                #expect(
                    try await client.json(.post, "/api/v1/packing-slips/\(slip)/pack", token: world.staff).status == .ok
                )
            }
            try await system.publishPendingEvents()
            #expect(try await Self.ship(client, berlin, token: dora).status == .forbidden)
            let first = try await Self.ship(client, berlin, token: world.staff)
            #expect(first.status == .created)
            #expect(first.object["status"] as? String == "shipped")
            #expect(first.object["orderNumber"] as? String == placed.object["number"] as? String)
            #expect(try await Self.ship(client, berlin, token: world.staff).code == "shipping.slip_already_shipped")
            let sameNumber = try await Self.ship(client, munich, token: world.staff)
            #expect(sameNumber.code == "shipping.tracking_number_taken")
            try await system.publishPendingEvents()

            // One of two slips shipped: the order waits, and can no longer be cancelled.
            #expect(try await Self.status(client, orderId, token: dora) == "sent_to_warehouse")
            let cancel = try await client.json(.post, "/api/v1/orders/\(orderId)/cancel", token: world.staff)
            #expect(cancel.status == .conflict)
            #expect(cancel.code == "order.already_shipped")
            // Inventory took Berlin's three pads off the shelf; Munich's discs are still reserved.
            let inventory = client.clients(world.staff).inventory
            let pad = try await inventory.getAvailability(path: .init(sku: "PAD")).ok.body.json
            #expect(pad.warehouses?.first?.onHand == 97)
            #expect(pad.warehouses?.first?.reserved == 0)
            func munichDiscs() async throws -> [InventoryAPI.Components.Schemas.LedgerEntry] {
                try await inventory.getStockLedger(path: .init(code: "MUC", sku: "DISC")).ok.body.json.items
            }
            #expect(try await munichDiscs().first?.cause == .reserve)

            let second = try await Self.ship(client, munich, token: world.staff, tracking: "1Z1000")
            try await system.publishPendingEvents()
            #expect(try await Self.status(client, orderId, token: dora) == "shipped")
            let shippedSlips = try await FulfillmentAPITests.slips(client, order: orderId, token: world.staff)
            #expect(shippedSlips.map(\.status) == [.shipped, .shipped])
            let munichLedger = try await munichDiscs()
            #expect(munichLedger.first?.cause == .commit)
            #expect(munichLedger.first?.onHandAfter == 8)
            #expect(munichLedger.first?.reservedAfter == 0)

            // The carrier reports: in transit when both are, delivered when both are.
            let ids = [try #require(first.object["id"] as? String), try #require(second.object["id"] as? String)]
            func track(_ id: String, _ status: String) async throws -> JSONResponse {
                try await client.json(
                    .post, "/api/v1/shipments/\(id)/tracking-events", ["status": status, "location": "Leipzig hub"],
                    token: world.staff)
            }
            #expect(try await track(ids[0], "in_transit").status == .created)
            try await system.publishPendingEvents()
            #expect(try await Self.status(client, orderId, token: dora) == "shipped")
            #expect(try await track(ids[1], "delivered").status == .created)  // no transit scan: straight to the door
            try await system.publishPendingEvents()
            #expect(try await Self.status(client, orderId, token: dora) == "in_transit")
            #expect(try await track(ids[0], "delivered").status == .created)
            try await system.publishPendingEvents()
            #expect(try await Self.status(client, orderId, token: dora) == "delivered")
            let late = try await track(ids[0], "in_transit")
            #expect(late.status == .conflict)
            #expect(late.code == "shipping.already_delivered")
            let future = try await client.json(
                .post, "/api/v1/shipments/\(ids[1])/tracking-events",
                ["status": "delivered", "at": "2999-01-01T00:00:00Z"],
                token: world.staff)
            #expect(future.code == "shipping.event_in_future")

            let history = try await client.json(.get, "/api/v1/orders/\(orderId)/history", token: dora)
            #expect(
                history.items.map { "\($0["to"] ?? "") by \($0["actor"] ?? "")" }.dropFirst() == [
                    "confirmed by inventory", "sent_to_warehouse by fulfillment", "shipped by shipping",
                    "in_transit by shipping", "delivered by shipping",
                ])
            #expect(history.items.first?["to"] as? String == "pending_confirmation")

            // The customer follows their own parcels; nobody else sees them.
            let mine = try await client.clients(dora).shipping.listShipments(query: .init(orderId: orderId)).ok.body
                .json
            #expect(mine.items.count == 2)
            #expect(Set(mine.items.map(\.tracking.count)) == [2, 3])
            #expect(try await client.clients(world.ann).shipping.listShipments().ok.body.json.items.isEmpty)
            #expect(try await client.json(.get, "/api/v1/shipments/\(ids[0])", token: world.ann).status == .notFound)
            #expect(try await client.json(.get, "/api/v1/shipments/\(ids[0])", token: dora).status == .ok)
            #expect(try await client.json(.get, "/api/v1/shipments/\(ids[0])").status == .unauthorized)
            #expect(try await InventoryService.reconcile(system.inventory.store.database) == [])
            #expect(try await ShippingService.reconcile(system.shipping.store.database) == [])
        }
    }

    @Test(arguments: Engine.allCases)
    func aCancelledOrdersPackedSlipCannotShip(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            let orderId = try await OrdersAPITests.place(client, [("PAD", 1)], token: world.ann).id
            try await system.publishPendingEvents()
            let slip = try #require(
                try await FulfillmentAPITests.slips(client, order: orderId, token: world.staff).first?.id)
            _ = try await client.json(.post, "/api/v1/packing-slips/\(slip)/pack", token: world.staff)
            try await system.publishPendingEvents()
            #expect(try await client.json(.post, "/api/v1/orders/\(orderId)/cancel", token: world.ann).status == .ok)
            try await system.publishPendingEvents()
            let refused = try await Self.ship(client, slip, token: world.staff)
            #expect(refused.status == .conflict)
            #expect(refused.code == "shipping.slip_voided")
            #expect(
                try await client.clients().inventory.getAvailability(path: .init(sku: "PAD")).ok.body.json.available
                    == 100)
        }
    }
}
