import AsyncHTTPClient
import CatalogAPI
import Composition
import Foundation
import HTTPTypes
import NIOHTTP1
import OrdersAPI
import SQLKit
import ServiceKit
import Storage
import Testing
import TestSupport

@Suite("Distributed mode: real processes on PostgreSQL and NATS, through the gateway", .serialized)
struct DistributedFlowTests {
    typealias Order = OrdersAPI.Components.Schemas.Order
    typealias OrderStatus = OrdersAPI.Components.Schemas.OrderStatus

    static let address = OrdersAPI.Components.Schemas.Address(
        firstName: "Dana", lastName: "Fischer", line1: "Werkstattstrasse 12", city: "Berlin", postalCode: "10115",
        country: .de)

    /// Places orders of `quantity` × `sku` until one is accepted (and priced at `expectPrice`), while the
    /// orders replica catches up (409 customer unknown, 422 unknown SKU, or an older price); returns it and
    /// how many orders were created on the way.
    static func placeEventually(
        _ gateway: String, _ sku: String, _ quantity: Int, token: String, expectPrice: String? = nil
    ) async throws -> (order: Order, created: Int) {
        let orders = Clients(gateway: gateway, token: token).orders
        let body = OrdersAPI.Operations.PlaceOrder.Input.Body.json(
            .init(lines: [.init(sku: sku, quantity: quantity)], shippingAddress: address, billingAddress: address))
        var last = ""
        var created = 0
        for _ in 0..<100 {
            let output = try await orders.placeOrder(body: body)
            if case .created(let answer) = output {
                created += 1
                let order = try answer.body.json
                if expectPrice == nil || order.lines.first?.unitPrice.amount == expectPrice { return (order, created) }
            }
            last = "\(output)"
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ClusterError.failed("order never accepted: \(last)")
    }

    /// Polls order `id` until it reaches `status` (the saga runs over NATS); returns it as last read.
    static func waitForStatus(_ gateway: String, _ id: String, _ status: OrderStatus, token: String) async throws
        -> Order
    {
        let orders = Clients(gateway: gateway, token: token).orders
        var order = try await orders.getOrder(path: .init(id: id)).ok.body.json
        for _ in 0..<300 where order.status != status {
            try await Task.sleep(for: .milliseconds(100))
            order = try await orders.getOrder(path: .init(id: id)).ok.body.json
        }
        return order
    }

    /// Reads with `read` until it returns something, for up to 30 s (the events travel over NATS).
    static func eventually<T>(_ read: () async throws -> [T]) async throws -> [T] {
        var items = try await read()
        for _ in 0..<300 where items.isEmpty {
            try await Task.sleep(for: .milliseconds(100))
            items = try await read()
        }
        return items
    }

    @Test func theOrderFlowWorksThroughTheGatewayAndSurvivesAConsumerRestart() async throws {
        let cluster = try Cluster()
        do {
            try await cluster.startAll()
            try cluster.createUser(email: "admin@e2e.test", role: "admin")
            try cluster.createUser(email: "staff@e2e.test", role: "staff")
            let gateway = cluster.gateway

            // Identity through the gateway; the catalog verifies the token with the customers JWKS.
            let registered = try await HTTP.send(
                .POST, "\(gateway)/api/v1/customers",
                json: #"{"email":"ann@e2e.test","password":"correct-horse","name":"Ann"}"#
            )
            #expect(registered.status == 201)
            let ann = try await HTTP.token(gateway, "ann@e2e.test")
            let admin = try await HTTP.token(gateway, "admin@e2e.test")
            let staff = try await HTTP.token(gateway, "staff@e2e.test")
            #expect(
                try await Clients(gateway: gateway, token: ann).customers.getCurrentCustomer().ok.body.json.email
                    == "ann@e2e.test")
            // An admin disables an account: the orders service, in its own process, refuses its token as soon
            // as the customers service's event arrives, and it can no longer log in.
            _ = try await HTTP.send(
                .POST, "\(gateway)/api/v1/customers",
                json: #"{"email":"eve@e2e.test","password":"correct-horse","name":"Eve"}"#)
            let eve = try await HTTP.token(gateway, "eve@e2e.test")
            #expect(try await HTTP.send(.GET, "\(gateway)/api/v1/orders", token: eve).status == 200)
            let eveID = try #require(
                try await HTTP.send(.GET, "\(gateway)/api/v1/customers/me", token: eve).object["id"] as? String)
            let disabled = try await HTTP.send(.POST, "\(gateway)/api/v1/customers/\(eveID)/disable", token: admin)
            #expect(disabled.object["disabled"] as? Bool == true, "\(disabled.text)")
            var refused = HTTP.Reply(status: 0, text: "")
            for _ in 0..<50 {
                refused = try await HTTP.send(.GET, "\(gateway)/api/v1/orders", token: eve)
                if refused.status == 401 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(refused.object["code"] as? String == "auth.account_disabled", "\(refused.text)")
            let login = try await HTTP.send(
                .POST, "\(gateway)/api/v1/auth/token", json: #"{"email":"eve@e2e.test","password":"correct-horse"}"#)
            #expect(login.status == 403)

            let part = #"{"sku":"E2E-PAD","name":"Brake pad","price":{"amount":"39.90","currency":"EUR"}}"#
            #expect(try await HTTP.send(.POST, "\(gateway)/api/v1/parts", json: part, token: ann).status == 403)
            #expect(try await HTTP.send(.POST, "\(gateway)/api/v1/parts", json: part, token: admin).status == 201)
            let catalog = Clients(gateway: gateway).catalog
            #expect(try await catalog.getPart(path: .init(sku: "e2e-pad")).ok.body.json.sku == "E2E-PAD")

            // The catalog graph through the gateway: a model, a fitment, what fits; and a CSV upload larger
            // than the 1 MiB of JSON bodies (uploads may be 32 MiB), imported in the catalog's process.
            let model = #"{"id":"E2E-GOLF","kind":"car","make":"Volkswagen","model":"Golf"}"#
            #expect(try await HTTP.send(.POST, "\(gateway)/api/v1/models", json: model, token: admin).status == 201)
            #expect(
                try await HTTP.send(.PUT, "\(gateway)/api/v1/parts/E2E-PAD/fitments/E2E-GOLF", json: "{}", token: admin)
                    .status == 200)
            let fits = try await catalog.listModelParts(path: .init(modelId: "E2E-GOLF")).ok.body.json.items
            #expect(fits.map(\.sku) == ["E2E-PAD"])
            var csv = "sku,name,description,price\n"
            for index in 0..<12_000 {
                csv += "E2E-BULK-\(index),Bulk part \(index),\(String(repeating: "x", count: 80)),1.00\n"
            }
            #expect(csv.utf8.count > 1 << 20)
            let upload = try await HTTP.send(
                .POST, "\(gateway)/api/v1/imports?kind=parts", json: csv, token: admin, contentType: "text/csv")
            #expect(upload.status == 202)
            let job = try #require(upload.object["id"] as? String)
            var status = "running"
            for _ in 0..<300 where status == "running" {
                try await Task.sleep(for: .milliseconds(100))
                let reply = try await HTTP.send(.GET, "\(gateway)/api/v1/imports/\(job)", token: admin)
                status = reply.object["status"] as? String ?? "?"
                if status == "finished" { #expect(reply.object["created"] as? Int == 12_000) }
            }
            #expect(status == "finished")

            // Stock in a warehouse (inventory is its own process and database).
            let warehouse = #"{"code":"BER","name":"Berlin","country":"DE"}"#
            #expect(
                try await HTTP.send(.POST, "\(gateway)/api/v1/warehouses", json: warehouse, token: admin).status == 201)
            for sku in ["E2E-PAD", "E2E-DISC"] {
                let stock = try await HTTP.send(
                    .PUT, "\(gateway)/api/v1/warehouses/BER/stock/\(sku)", json: #"{"onHand":100,"bin":"A-01"}"#,
                    token: admin)
                #expect(stock.status == 200)
            }

            // The order flow: the orders replica learned the part and the customer over NATS, inventory
            // reserved the stock and the order confirmed itself.
            let (placed, createdFirst) = try await Self.placeEventually(gateway, "E2E-PAD", 2, token: ann)
            #expect(createdFirst == 1)
            #expect(placed.total.amount == "94.96")
            let id = placed.id
            let confirmed = try await Self.waitForStatus(gateway, id, .sentToWarehouse, token: ann)
            #expect(confirmed.status == .sentToWarehouse)
            let asStaff = Clients(gateway: gateway, token: staff)
            let stock = try await asStaff.inventory.getAvailability(path: .init(sku: "E2E-PAD")).ok.body.json
            #expect(stock.available == 98)

            // Fulfillment (its own process) made the packing slip from order.confirmed; the gateway sends
            // /warehouses/{code}/pick-list to fulfillment and the rest of /warehouses to inventory.
            let slips = try await Self.eventually {
                try await asStaff.fulfillment.listPackingSlips(query: .init(orderId: id)).ok.body.json.items
            }
            #expect(slips.count == 1)
            #expect(slips.first?.lines.first?.bin == "A-01")
            let pick = try await asStaff.fulfillment.getPickList(path: .init(code: "BER")).ok.body.json
            #expect(pick.lines.first?.sku == "E2E-PAD")
            #expect(try await asStaff.inventory.listWarehouses().ok.body.json.items.count == 1)

            // Billing (its own process) invoiced the confirmed order; the customer sees it.
            let asAnn = Clients(gateway: gateway, token: ann)
            let invoices = try await Self.eventually {
                try await asAnn.billing.listInvoices(query: .init(orderId: id)).ok.body.json.items
            }
            #expect(invoices.first?.gross.amount == "94.96")

            // GraphQL at the gateway: one query for the order with its parts, stock, slips and invoices,
            // resolved through the services' processes with the caller's token.
            let storefront =
                #"{"query":"query($id: String!) { order(id: $id) { status lines { part { name availability { available } } } packingSlips { status } invoices { gross { amount } } } me { email } }","variables":{"id":"\#(id)"}}"#
            let graph = try await HTTP.send(.POST, "\(gateway)/graphql", json: storefront, token: staff)
            #expect(graph.status == 200)
            let graphOrder = (graph.object["data"] as? [String: Any])?["order"] as? [String: Any]
            #expect(graphOrder?["status"] as? String == "sent_to_warehouse", "\(graph.object)")
            let graphPart = ((graphOrder?["lines"] as? [[String: Any]])?.first?["part"] as? [String: Any])
            #expect(graphPart?["name"] as? String == "Brake pad")
            #expect((graphPart?["availability"] as? [String: Any])?["available"] as? Int == 98)
            #expect((graphOrder?["packingSlips"] as? [[String: Any]])?.count == 1)
            #expect(
                ((graphOrder?["invoices"] as? [[String: Any]])?.first?["gross"] as? [String: Any])?["amount"] as? String
                    == "94.96")

            // The back office at the gateway: staff sign in and see the order with its slip and invoice,
            // read through the services' processes.
            let session = try await HTTP.backOfficeSession(gateway, "staff@e2e.test")
            let orderPage = try await HTTP.backOfficePage("\(gateway)/admin/orders/\(id)", session: session)
            #expect(orderPage.status == 200)
            #expect(orderPage.text.contains(placed.number) && orderPage.text.contains(slips[0].number))
            #expect(orderPage.text.contains(invoices[0].number))
            #expect(
                ((graph.object["data"] as? [String: Any])?["me"] as? [String: Any])?["email"] as? String
                    == "staff@e2e.test")
            let others = try await HTTP.send(
                .POST, "\(gateway)/graphql", json: storefront, token: try await HTTP.token(gateway, "admin@e2e.test"))
            #expect(((others.object["data"] as? [String: Any])?["order"] as? [String: Any])?["status"] != nil)
            let anonymous = try await HTTP.send(.POST, "\(gateway)/graphql", json: storefront)
            #expect(((anonymous.object["data"] as? [String: Any])?["order"]) is NSNull)

            // Sales (its own process) counted the order from the events.
            let sold = try await Self.eventually { try await asStaff.sales.listSoldItems().ok.body.json.items }
            #expect(sold.first?.sku == "E2E-PAD")
            #expect(sold.first?.quantity == 2)

            // The legacy GraphQL client's documents run verbatim through the gateway, on the same services.
            let legacy = LegacyClientScenario(
                tag: ".e2e",
                send: { path, body, token in
                    let reply = try await HTTP.send(.POST, "\(gateway)\(path)", json: body, token: token)
                    return (reply.status, reply.text)
                },
                settle: { try await Task.sleep(for: .milliseconds(100)) })
            try await legacy.run(admin: try await HTTP.token(gateway, "admin@e2e.test"))

            // A GraphQL subscription at the gateway (over WebSocket) follows the order: the gateway hears
            // of its status changes from NATS. Its owner is told the order shipped, as it happens.
            let (statuses, statusSeen) = AsyncStream<String>.makeStream()
            let subscription = #"subscription($id: String!) { orderUpdated(id: $id) { status } }"#
            let watcher = Task { [ann] in
                defer { statusSeen.finish() }
                try await GraphQLSocket.session(port: cluster.port("gateway"), timeout: .seconds(60)) { socket in
                    try await socket.initialise(ann)
                    try await socket.send([
                        "id": "1", "type": "subscribe", "payload": ["query": subscription, "variables": ["id": id]],
                    ])
                    while true {
                        let message = try await socket.read()
                        let data = (message["payload"] as? [String: Any])?["data"] as? [String: Any]
                        guard let status = (data?["orderUpdated"] as? [String: Any])?["status"] as? String else {
                            statusSeen.yield("unexpected: \(message)")
                            break
                        }
                        statusSeen.yield(status)
                        if status == "shipped" { break }
                    }
                    try await socket.outbound.close(.normalClosure, reason: nil)
                }
            }
            var pushed = statuses.makeAsyncIterator()
            #expect(await pushed.next() == "sent_to_warehouse", "the subscription starts with the order as it is")

            // Staff packs and ships the slip (shipping, its own process, learned the packing over NATS), the
            // carrier reports; the order follows to delivered and inventory takes the parts off on hand.
            let slipId = try #require(slips.first?.id)
            #expect(
                try await asStaff.fulfillment.packPackingSlip(path: .init(id: slipId)).ok.body.json.status == .packed)
            let shipmentBody = #"{"packingSlipId":"\#(slipId)","carrier":"DHL","trackingNumber":"E2E-1"}"#
            var shipped = try await HTTP.send(.POST, "\(gateway)/api/v1/shipments", json: shipmentBody, token: staff)
            for _ in 0..<300 where shipped.object["code"] as? String == "shipping.slip_not_packed" {
                try await Task.sleep(for: .milliseconds(100))
                shipped = try await HTTP.send(.POST, "\(gateway)/api/v1/shipments", json: shipmentBody, token: staff)
            }
            #expect(shipped.status == 201)
            let shipmentId = try #require(shipped.object["id"] as? String)
            #expect(try await Self.waitForStatus(gateway, id, .shipped, token: ann).status == .shipped)
            var later: [String] = []
            while let status = await pushed.next() { later.append(status) }
            #expect(later.last == "shipped", "pushed over the WebSocket: \(later)")
            try await watcher.value
            for status in ["in_transit", "delivered"] {
                let tracked = try await HTTP.send(
                    .POST, "\(gateway)/api/v1/shipments/\(shipmentId)/tracking-events",
                    json: #"{"status":"\#(status)","location":"Berlin"}"#, token: staff)
                #expect(tracked.status == 201)
            }
            #expect(try await Self.waitForStatus(gateway, id, .delivered, token: ann).status == .delivered)
            let mineShipped = try await asAnn.shipping.listShipments(query: .init(orderId: id)).ok.body.json.items
            #expect(mineShipped.first?.tracking.count == 3)
            let afterShipping = try await asStaff.inventory.getAvailability(path: .init(sku: "E2E-PAD")).ok.body.json
            let row = afterShipping.warehouses?.first
            #expect(row?.onHand == 98)
            #expect(row?.reserved == 0)

            // Inventory goes away for a while: orders wait in pending_confirmation, then confirm.
            try cluster.stop("inventory")
            let (waiting, createdWaiting) = try await Self.placeEventually(gateway, "E2E-PAD", 1, token: ann)
            try await Task.sleep(for: .milliseconds(500))
            #expect(
                try await asAnn.orders.getOrder(path: .init(id: waiting.id)).ok.body.json.status == .pendingConfirmation
            )
            try await cluster.start("inventory")
            #expect(
                try await Self.waitForStatus(gateway, waiting.id, .sentToWarehouse, token: ann).status
                    == .sentToWarehouse)

            let illegal = try await HTTP.send(
                .POST, "\(gateway)/api/v1/orders/\(id)/status", json: #"{"status":"delivered"}"#, token: staff)
            #expect(illegal.status == 409)
            #expect(illegal.object["code"] as? String == "order.illegal_transition")

            // Every process serves its own /metrics: the orders service counts what its relay published, the
            // gateway the requests it forwarded.
            let ordersMetrics = try await HTTP.send(.GET, "http://127.0.0.1:\(cluster.port("orders"))/metrics").text
            #expect(ordersMetrics.contains(#"sprocket_events_published_total{database="#))
            #expect(ordersMetrics.contains(#"sprocket_outbox_pending{database="#))
            let gatewayMetrics = try await HTTP.send(.GET, "\(gateway)/metrics").text
            #expect(gatewayMetrics.contains(#"sprocket_http_requests_total{process="gateway",route="#))

            // /docs, rendered: at the gateway every service's operations and GraphQL, at a service its own.
            let gatewayDocs = try await HTTP.send(.GET, "\(gateway)/docs").text
            for service in ServiceName.allCases {
                for operation in APIReference.operations(
                    of: .init(name: service.rawValue, yaml: service.module.openAPIDocument))
                {
                    let parts = operation.split(separator: " ", maxSplits: 1)
                    #expect(gatewayDocs.contains(">\(parts[0])</span><code>\(parts[1])</code>"), "\(operation)")
                }
            }
            #expect(gatewayDocs.contains("<code>type Query</code>"))
            let ordersDocs = try await HTTP.send(.GET, "http://127.0.0.1:\(cluster.port("orders"))/docs").text
            #expect(ordersDocs.contains("<code>/api/v1/orders</code>") && !ordersDocs.contains("/api/v1/parts<"))

            // Two orders replicas: the gateway spreads requests over both.
            for _ in 0..<6 { _ = try await HTTP.send(.GET, "\(gateway)/api/v1/orders/\(id)", token: ann) }
            #expect(cluster.requestsServed("orders", pathPrefix: "/api/v1/orders") > 0)
            #expect(cluster.requestsServed("orders2", pathPrefix: "/api/v1/orders") > 0)
            // One replica goes away: reads fail over to the other.
            try cluster.stop("orders")
            #expect(try await HTTP.send(.GET, "\(gateway)/api/v1/orders/\(id)", token: ann).status == 200)
            #expect(try await HTTP.send(.GET, "\(gateway)/api/v1/orders/\(id)", token: ann).status == 200)

            // Then the whole orders service goes away: the gateway answers 502, events wait in JetStream.
            try cluster.stop("orders2")
            let down = try await HTTP.send(.GET, "\(gateway)/api/v1/orders", token: ann)
            #expect(down.status == 502)
            #expect(down.object["code"] as? String == "gateway.upstream_unavailable")
            let repriced = try await HTTP.send(
                .PATCH, "\(gateway)/api/v1/parts/E2E-PAD", json: #"{"price":{"amount":"42.00","currency":"EUR"}}"#,
                token: admin
            )
            #expect(repriced.status == 200)
            let newPart = #"{"sku":"E2E-DISC","name":"Brake disc","price":{"amount":"54.00","currency":"EUR"}}"#
            #expect(try await HTTP.send(.POST, "\(gateway)/api/v1/parts", json: newPart, token: admin).status == 201)

            // It comes back and catches up with everything it missed.
            try await cluster.start("orders")
            let (afterRestart, createdWhileCatchingUp) = try await Self.placeEventually(
                gateway, "E2E-PAD", 1, token: ann, expectPrice: "42.00")
            #expect(afterRestart.lines.first?.unitPrice.amount == "42.00")
            let (disc, createdDisc) = try await Self.placeEventually(gateway, "E2E-DISC", 1, token: ann)
            #expect(disc.subtotal.amount == "54.00")
            let mine = try await asAnn.orders.listOrders(query: .init(limit: 200)).ok.body.json.items
            #expect(mine.count == 1 + createdWaiting + createdWhileCatchingUp + createdDisc)
            let history = try await asAnn.orders.getOrderHistory(path: .init(id: id)).ok.body.json.items
            #expect(
                history.map(\.to) == [
                    .pendingConfirmation, .confirmed, .sentToWarehouse, .shipped, .inTransit, .delivered,
                ])

            // Every catalog, customer, inventory decision, slip and shipment event was applied by the orders service
            // exactly once (once the last orders are decided).
            for order in mine where order.id != id {
                _ = try await Self.waitForStatus(gateway, order.id, .sentToWarehouse, token: ann)
            }
            let published =
                try await cluster.withDatabase("catalog") {
                    try await Self.count("SELECT COUNT(*) AS n FROM outbox", $0)
                }
                + (try await cluster.withDatabase("customers") {
                    try await Self.count(
                        "SELECT COUNT(*) AS n FROM outbox WHERE type IN ('customer.registered', 'customer.addresses.changed')",
                        $0)
                })
                + (try await cluster.withDatabase("inventory") {
                    try await Self.count(
                        "SELECT COUNT(*) AS n FROM outbox WHERE type IN ('inventory.reserved', 'inventory.rejected')",
                        $0)
                })
                + (try await cluster.withDatabase("fulfillment") {
                    try await Self.count("SELECT COUNT(*) AS n FROM outbox WHERE type = 'fulfillment.slip.created'", $0)
                })
                + (try await cluster.withDatabase("shipping") {
                    try await Self.count("SELECT COUNT(*) AS n FROM outbox", $0)
                })
            // A message a stopped replica had pulled and not acknowledged comes again after the ack wait
            // (10 s): wait that long for the last one.
            var applied = 0
            for _ in 0..<150 {
                applied = try await cluster.withDatabase("orders") {
                    try await Self.count("SELECT COUNT(*) AS n FROM inbox", $0)
                }
                if applied >= published { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(applied == published)

            // One trace from the client through the gateway to the invoice: the client's traceparent reaches
            // the orders service, and every event the placement causes carries its trace id, across
            // orders, inventory, fulfillment and billing (each in its own process and database).
            let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
            let traced = Clients(
                transport: HTTPClientTransport(), server: gateway, token: ann,
                headers: [HTTPField.Name("traceparent")!: "00-\(traceID)-00f067aa0ba902b7-01"])
            let tracedOrder = try await traced.orders.placeOrder(
                body: .json(
                    .init(
                        lines: [.init(sku: "E2E-PAD", quantity: 1)], shippingAddress: Self.address,
                        billingAddress: Self.address))
            ).created.body.json
            let hops: [(service: String, type: String)] = [
                ("orders", "order.placed"), ("inventory", "inventory.reserved"), ("orders", "order.confirmed"),
                ("fulfillment", "fulfillment.slip.created"), ("billing", "invoice.issued"),
            ]
            for (service, type) in hops {
                var carried = 0
                for _ in 0..<300 where carried == 0 {
                    carried = try await cluster.withDatabase(service) {
                        try await Self.count(
                            "SELECT COUNT(*) AS n FROM outbox WHERE type = '\(type)' AND traceparent LIKE '00-\(traceID)-%'",
                            $0)
                    }
                    if carried == 0 { try await Task.sleep(for: .milliseconds(100)) }
                }
                #expect(carried == 1, "\(service) \(type) carries the trace of order \(tracedOrder.number)")
            }
            let traceInLogs = ["gateway", "orders"].filter { name in
                ((try? String(contentsOf: cluster.logFile(name), encoding: .utf8)) ?? "").contains(
                    #""trace_id":"\#(traceID)""#)
            }
            #expect(traceInLogs.contains("gateway"))
            #expect(traceInLogs.contains("orders"))
        } catch {
            cluster.stopAll()
            await cluster.dropDatabases()
            throw error
        }
        cluster.stopAll()
        await cluster.dropDatabases()
        cluster.removeLogs()
    }

    static func count(_ sql: String, _ database: Database) async throws -> Int {
        try await database.read { db in
            try await db.raw("\(unsafeRaw: sql)").first()?.decode(column: "n", as: Int.self) ?? -1
        }
    }
}
