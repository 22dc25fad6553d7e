import Foundation
import Hummingbird
import HummingbirdTesting
import IntegrationEvents
import Messaging
import ServiceKit
import Storage
import Composition
import OrdersAPI
import Testing
import TestSupport

@Suite("Orders API through the router, on both engines")
struct OrdersAPITests {
    static var address: [String: Any] {
        [
            "firstName": "Dana", "lastName": "Fischer", "company": "Fischer KFZ", "email": "dana@example.com",
            "phone": "+49 30 1234567", "line1": "Werkstattstraße 12", "city": "Berlin", "postalCode": "10115",
            "country": "DE",
        ]
    }

    /// Dana's workshop, as the generated client sends it.
    static let typedAddress = Components.Schemas.Address(
        firstName: "Dana", lastName: "Fischer", company: "Fischer KFZ", email: "dana@example.com",
        phone: "+49 30 1234567", line1: "Werkstattstraße 12", city: "Berlin", postalCode: "10115", country: .de)

    /// An order of `lines` (SKU and quantity) shipped and billed to Dana's workshop.
    static func newOrder(_ lines: [(sku: String, quantity: Int)]) -> Operations.PlaceOrder.Input.Body {
        .json(
            .init(
                lines: lines.map { .init(sku: $0.sku, quantity: $0.quantity) }, shippingAddress: typedAddress,
                billingAddress: typedAddress))
    }

    /// Places an order of `lines` as the holder of `token` through the generated client.
    static func place(
        _ client: any TestClientProtocol, _ lines: [(sku: String, quantity: Int)], token: String
    ) async throws -> Components.Schemas.Order {
        try await client.clients(token).orders.placeOrder(body: newOrder(lines)).created.body.json
    }

    static func orderBody(_ lines: [[String: Any]]) -> [String: Any] {
        ["lines": lines, "shippingAddress": address, "billingAddress": address]
    }

    /// An admin who created parts PAD (39.90) and DISC (54.00) with 100 of each in warehouse BER, two
    /// customers and a staff member, all known to the orders replicas.
    struct World {
        let admin: String
        let staff: String
        let ann: String
        let bob: String
    }

    static func world(_ system: EmbeddedSystem, _ client: any TestClientProtocol) async throws -> World {
        let admin = try await SystemHarness.token(system, client, role: .admin)
        let asAdmin = client.clients(admin)
        for (sku, price) in [("PAD", "39.90"), ("DISC", "54.00")] {
            _ = try await asAdmin.catalog.createPart(
                body: .json(.init(sku: sku, name: "Part \(sku)", price: .init(amount: price, currency: "EUR")))
            ).created
        }
        let world = World(
            admin: admin,
            staff: try await SystemHarness.token(system, client, role: .staff),
            ann: try await SystemHarness.token(system, client, role: .customer),
            bob: try await SystemHarness.token(system, client, role: .customer)
        )
        _ = try await asAdmin.inventory.createWarehouse(body: .json(.init(code: "BER", name: "Berlin", country: .de)))
            .created
        for sku in ["PAD", "DISC"] {
            _ = try await asAdmin.inventory.setStock(
                path: .init(code: "BER", sku: sku), body: .json(.init(onHand: 100))
            )
            .ok
        }
        try await system.publishPendingEvents()
        return world
    }

    @Test(arguments: Engine.allCases)
    func aCustomerPlacesAndFollowsAnOrder(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await Self.world(system, client)
            let (ann, bob, staff) = (client.clients(world.ann), client.clients(world.bob), client.clients(world.staff))
            let order = try await ann.orders.placeOrder(body: Self.newOrder([("pad", 2), ("DISC", 1)])).created.body
                .json
            #expect(order.status == .pendingConfirmation)
            #expect(order.number.range(of: #"^SO-\d{4}-\d{6}$"#, options: .regularExpression) != nil)
            #expect(order.subtotal.amount == "133.80")
            #expect(order.tax.amount == "25.42")
            #expect(order.total.amount == "159.22")
            #expect(order.taxRate == "19")
            #expect(order.lines.map(\.name) == ["Part PAD", "Part DISC"])
            #expect(order.lines[0].lineTotal.amount == "79.80")
            let id = order.id

            #expect(try await ann.orders.getOrder(path: .init(id: id)).ok.body.json == order)
            let foreign = try await client.json(.get, "/api/v1/orders/\(id)", token: world.bob)
            #expect(foreign.status == .notFound)
            #expect(foreign.code == "order.not_found")
            #expect(try await client.json(.get, "/api/v1/orders/\(id)/history", token: world.bob).status == .notFound)
            #expect(try await bob.orders.listOrders().ok.body.json.items.isEmpty)
            #expect(try await ann.orders.listOrders(query: .init(customerId: "anyone")).ok.body.json.items.count == 1)
            #expect(try await client.json(.get, "/api/v1/orders/\(id)").status == .unauthorized)

            // Staff cannot confirm before inventory reserved the stock; illegal moves say what is allowed.
            #expect(
                try await client.json(.post, "/api/v1/orders/\(id)/status", ["status": "confirmed"], token: world.ann)
                    .status == .forbidden)
            let early = try await client.json(
                .post, "/api/v1/orders/\(id)/status", ["status": "confirmed"], token: world.staff)
            #expect(early.status == .conflict)
            #expect(early.code == "order.not_reserved")
            let illegal = try await client.json(
                .post, "/api/v1/orders/\(id)/status", ["status": "shipped"], token: world.staff)
            #expect(illegal.status == .conflict)
            #expect(illegal.code == "order.illegal_transition")
            #expect(illegal.object["allowed"] as? [String] == ["confirmed", "cancelled"])

            // The saga: inventory reserves, the order confirms itself; fulfillment makes its slip and the
            // order is sent to the warehouse.
            let received = Received()
            try await system.transport.subscribe(
                consumer: "probe",
                types: [OrderPlaced.type, OrderConfirmed.type, OrderStatusChanged.type, OrderCancelled.type]
            ) { received.append($0) }
            try await system.publishPendingEvents()
            #expect(try await ann.orders.getOrder(path: .init(id: id)).ok.body.json.status == .sentToWarehouse)
            let history = try await ann.orders.getOrderHistory(path: .init(id: id)).ok.body.json.items
            #expect(history.map(\.to) == [.pendingConfirmation, .confirmed, .sentToWarehouse])
            #expect(history.map(\.actor).suffix(2) == ["inventory", "fulfillment"])
            #expect(history[1].from == .pendingConfirmation)
            let pad = try await staff.inventory.getAvailability(path: .init(sku: "PAD")).ok.body.json
            #expect(pad.available == 98)
            #expect(pad.warehouses?.first?.reserved == 2)
            #expect(try await ann.inventory.getAvailability(path: .init(sku: "PAD")).ok.body.json.warehouses == nil)

            // The customer may still cancel an order that has not shipped; the stock comes back.
            let cancelled = try await ann.orders.cancelOrder(
                path: .init(id: id), body: .json(.init(reason: "found it cheaper"))
            ).ok.body.json
            #expect(cancelled.status == .cancelled)
            let again = try await client.json(.post, "/api/v1/orders/\(id)/cancel", token: world.staff)
            #expect(again.code == "order.illegal_transition")
            try await system.publishPendingEvents()
            #expect(
                try await client.clients().inventory.getAvailability(path: .init(sku: "PAD")).ok.body.json.available
                    == 100)

            // Every move reached the outbox with the full snapshot; the confirmation carries the allocation.
            #expect(
                received.all.map(\.type) == [
                    OrderPlaced.type, OrderStatusChanged.type, OrderConfirmed.type, OrderStatusChanged.type,
                    OrderStatusChanged.type, OrderCancelled.type,
                ])
            let confirmation = try received.all[2].decode(OrderConfirmed.self)
            #expect(
                Set(confirmation.allocations ?? []) == [
                    StockAllocation(warehouse: "BER", sku: "PAD", quantity: 2, bin: nil, bundleSku: nil),
                    StockAllocation(warehouse: "BER", sku: "DISC", quantity: 1, bin: nil, bundleSku: nil),
                ])
            let placedEvent = try received.all[0].decode(OrderPlaced.self)
            #expect(placedEvent.order.billingAddress.company == "Fischer KFZ")
            #expect(placedEvent.order.total.amount == "159.22")
        }
    }

    @Test(arguments: Engine.allCases)
    func customersAndStaffCancelUntilTheOrderShips(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await Self.world(system, client)
            /// Places an order; `confirmed` lets the saga and fulfillment run, so it is sent_to_warehouse on return.
            func place(confirmed: Bool = true) async throws -> String {
                let placed = try await client.json(
                    .post, "/api/v1/orders", Self.orderBody([["sku": "PAD", "quantity": 1]]), token: world.ann)
                if confirmed { try await system.publishPendingEvents() }
                return try #require(placed.object["id"] as? String)
            }
            func move(_ id: String, _ statuses: [String]) async throws {
                for status in statuses {
                    #expect(
                        try await client.json(
                            .post, "/api/v1/orders/\(id)/status", ["status": status], token: world.staff
                        ).status == .ok)
                }
            }
            let early = try await place(confirmed: false)
            #expect(
                try await client.json(.post, "/api/v1/orders/\(early)/cancel", token: world.bob).status == .notFound)
            #expect(try await client.json(.post, "/api/v1/orders/\(early)/cancel", token: world.ann).status == .ok)

            // Confirmed, its slip made: sent to the warehouse, still cancellable by its customer.
            let atWarehouse = try await place()
            #expect(
                try await client.json(.get, "/api/v1/orders/\(atWarehouse)", token: world.ann).object["status"]
                    as? String
                    == "sent_to_warehouse")
            #expect(
                try await client.json(.post, "/api/v1/orders/\(atWarehouse)/cancel", token: world.ann).status == .ok)

            // Staff may set a status by hand, with the same guard; once shipped, nobody cancels.
            let shipped = try await place()
            try await move(shipped, ["shipped"])
            let refused = try await client.json(.post, "/api/v1/orders/\(shipped)/cancel", token: world.ann)
            #expect(refused.status == .conflict)
            #expect(refused.code == "order.cancel_not_allowed")
            let late = try await client.json(.post, "/api/v1/orders/\(shipped)/cancel", token: world.admin)
            #expect(late.status == .conflict)
            #expect(late.object["allowed"] as? [String] == ["in_transit"])
            try await move(shipped, ["in_transit", "delivered"])
            let final = try await client.json(
                .post, "/api/v1/orders/\(shipped)/status", ["status": "cancelled"], token: world.staff)
            #expect(final.object["allowed"] as? [String] == [])

            let staffView = try await client.json(.get, "/api/v1/orders?status=cancelled", token: world.staff)
            #expect(staffView.items.count == 2)
            #expect(
                try await client.json(.get, "/api/v1/orders?shippingCity=berlin&shippingCountry=DE", token: world.staff)
                    .items.count == 3)
            #expect(
                try await client.json(.get, "/api/v1/orders?shippingCountry=Germany", token: world.staff).status
                    == .unprocessableContent)
            #expect(
                try await client.json(.get, "/api/v1/orders?from=yesterday", token: world.staff).status == .badRequest)
        }
    }

    @Test(arguments: Engine.allCases)
    func badOrdersAreRefusedWithFieldErrorsAndStoreNothing(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await Self.world(system, client)
            var badAddress = Self.address
            badAddress["country"] = "Germany"
            badAddress["postalCode"] = ""
            let unsold = try await client.json(
                .post, "/api/v1/orders", Self.orderBody([["sku": "GHOST", "quantity": 1]]), token: world.ann)
            #expect(unsold.status == .conflict)
            #expect(unsold.code == "order.parts_unavailable")
            #expect(unsold.fields == ["lines.0.sku"])
            let cases: [([String: Any], [String])] = [
                (Self.orderBody([["sku": "bad sku", "quantity": 1]]), ["lines.0.sku"]),
                (
                    Self.orderBody([["sku": "PAD", "quantity": 0], ["sku": "DISC", "quantity": 10_001]]),
                    ["lines.0.quantity", "lines.1.quantity"]
                ),
                (Self.orderBody([]), ["lines"]),
                (Self.orderBody((0..<201).map { ["sku": "S\($0)", "quantity": 1] }), ["lines"]),
                (
                    [
                        "lines": [["sku": "PAD", "quantity": 1]], "shippingAddress": badAddress,
                        "billingAddress": Self.address,
                    ],
                    ["shippingAddress.country", "shippingAddress.postalCode"]
                ),
            ]
            for (body, fields) in cases {
                let response = try await client.json(.post, "/api/v1/orders", body, token: world.ann)
                #expect(response.status == .unprocessableContent, "\(fields)")
                #expect(Array(response.fields.prefix(fields.count)) == fields)
            }
            // An address left out is the address book's default; Ann has none: 409 naming it.
            let noBilling = try await client.json(
                .post, "/api/v1/orders", ["lines": [["sku": "PAD", "quantity": 1]], "shippingAddress": Self.address],
                token: world.ann)
            #expect(noBilling.status == .conflict)
            #expect(noBilling.code == "order.no_default_address")
            #expect(noBilling.fields == ["billingAddress"])
            #expect(
                try await client.json(.post, "/api/v1/orders", "{\"lines\": [", token: world.ann).status == .badRequest)
            #expect(
                try await client.json(.post, "/api/v1/orders", Self.orderBody([["sku": "PAD", "quantity": 1]])).status
                    == .unauthorized)
            #expect(try await client.json(.get, "/api/v1/orders", token: world.staff).items.isEmpty)
            #expect(try await Outbox.pendingCount(in: system.orders.store.database) == 0)
        }
    }

    @Test(arguments: Engine.allCases)
    func retriesWithAnIdempotencyKeyReturnTheSameOrder(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await Self.world(system, client)
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let response = try await client.json(
                            .post, "/api/v1/orders", Self.orderBody([["sku": "PAD", "quantity": 3]]), token: world.ann,
                            headers: [.idempotencyKey: "checkout-42"]
                        )
                        return response.object["id"] as? String ?? "status \(response.status.code)"
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
            #expect(try await client.json(.get, "/api/v1/orders", token: world.ann).items.count == 1)
            let reused = try await client.json(
                .post, "/api/v1/orders", Self.orderBody([["sku": "PAD", "quantity": 4]]), token: world.ann,
                headers: [.idempotencyKey: "checkout-42"]
            )
            #expect(reused.code == "idempotency.key_reused")
        }
    }

    @Test(arguments: Engine.allCases)
    func aCatalogPriceChangeReachesNewOrdersThroughEvents(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await Self.world(system, client)
            _ = try await client.json(
                .patch, "/api/v1/parts/PAD", ["price": ["amount": "44.00", "currency": "EUR"]], token: world.admin)
            try await system.publishPendingEvents()
            let order = try await client.json(
                .post, "/api/v1/orders", Self.orderBody([["sku": "PAD", "quantity": 1]]), token: world.ann)
            #expect(
                ((order.object["lines"] as? [[String: Any]])?.first?["unitPrice"] as? [String: String])?["amount"]
                    == "44.00")
            _ = try await client.json(.patch, "/api/v1/parts/PAD", ["status": "discontinued"], token: world.admin)
            try await system.publishPendingEvents()
            let refused = try await client.json(
                .post, "/api/v1/orders", Self.orderBody([["sku": "PAD", "quantity": 1]]), token: world.ann)
            #expect(refused.fields == ["lines.0.sku"])
        }
    }
}
