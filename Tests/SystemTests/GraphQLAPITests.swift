import Foundation
import GraphQLGateway
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Storage
import Testing
import TestSupport

@Suite("GraphQL API through the router, on both engines")
struct GraphQLAPITests {
    /// A GraphQL answer: `data`, the errors' codes, and the calls it made to the services.
    struct Answer {
        let status: HTTPResponse.Status
        let object: [String: Any]
        var data: [String: Any] { object["data"] as? [String: Any] ?? [:] }
        var errors: [[String: Any]] { object["errors"] as? [[String: Any]] ?? [] }
        var codes: [String] { errors.compactMap { ($0["extensions"] as? [String: Any])?["code"] as? String } }
        var calls: Int { (object["extensions"] as? [String: Any])?["upstreamCalls"] as? Int ?? -1 }
    }

    static func graphQL(
        _ client: any TestClientProtocol, _ query: String, _ variables: [String: Any] = [:], token: String? = nil
    ) async throws -> Answer {
        let response = try await client.json(.post, "/graphql", ["query": query, "variables": variables], token: token)
        return Answer(status: response.status, object: response.object)
    }

    @Test(arguments: Engine.allCases)
    func aStorefrontReadsPartsModelsAndWhatFits(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            let kit: [String: Any] = [
                "sku": "KIT", "name": "Brake kit", "price": ["amount": "80.00", "currency": "EUR"],
                "components": [["sku": "PAD", "quantity": 2], ["sku": "DISC", "quantity": 1]],
            ]
            #expect(try await client.json(.post, "/api/v1/parts", kit, token: world.admin).status == .created)
            let model: [String: Any] = ["id": "GOLF7", "kind": "car", "make": "Volkswagen", "model": "Golf VII"]
            #expect(try await client.json(.post, "/api/v1/models", model, token: world.admin).status == .created)
            for sku in ["PAD", "DISC"] {
                let fitted = try await client.json(.put, "/api/v1/parts/\(sku)/fitments/GOLF7", [:], token: world.admin)
                #expect(fitted.status == .ok)
            }

            let page = try await Self.graphQL(
                client,
                "{ parts(first: 2) { edges { cursor node { sku kind price { amount } } } pageInfo { hasNextPage endCursor } } }"
            )
            #expect(page.status == .ok)
            let parts = try #require(page.data["parts"] as? [String: Any])
            let edges = try #require(parts["edges"] as? [[String: Any]])
            #expect(edges.compactMap { ($0["node"] as? [String: Any])?["sku"] as? String } == ["DISC", "KIT"])
            #expect((parts["pageInfo"] as? [String: Any])?["endCursor"] as? String == "KIT")
            let next = try await Self.graphQL(
                client,
                "query($after: String) { products(first: 2, after: $after) { edges { node { sku } } pageInfo { hasNextPage } } }",
                ["after": "KIT"])
            #expect(((next.data["products"] as? [String: Any])?["edges"] as? [[String: Any]])?.count == 1)

            let kitAnswer = try await Self.graphQL(
                client,
                #"{ part(sku: "kit") { sku kind components { sku quantity part { name price { amount } } } } nope: part(sku: "NOPE") { sku } }"#
            )
            let components = try #require((kitAnswer.data["part"] as? [String: Any])?["components"] as? [[String: Any]])
            #expect(
                components.compactMap { ($0["part"] as? [String: Any])?["name"] as? String } == [
                    "Part PAD", "Part DISC",
                ])
            #expect(kitAnswer.data["nope"] is NSNull)

            let fits = try await Self.graphQL(
                client,
                #"{ model(id: "GOLF7") { make parts { edges { node { sku models { edges { node { model { id } } } } } } } } }"#
            )
            let fitting = try #require(
                ((fits.data["model"] as? [String: Any])?["parts"] as? [String: Any])?["edges"] as? [[String: Any]])
            #expect(fitting.compactMap { ($0["node"] as? [String: Any])?["sku"] as? String } == ["DISC", "KIT", "PAD"])
            let models = try await Self.graphQL(
                client, #"{ models(q: "golf") { edges { node { id kind } } } categories { path } }"#)
            #expect(models.status == .ok)
            #expect(models.errors.isEmpty)
        }
    }

    @Test(arguments: Engine.allCases)
    func customersRegisterLogInPlaceOrdersAndSeeOnlyTheirOwn(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            let registered = try await Self.graphQL(
                client,
                #"mutation { registerUser(email: "eve@example.com", password: "correct-horse", name: "Eve") { id role } }"#
            )
            #expect((registered.data["registerUser"] as? [String: Any])?["role"] as? String == "customer")
            // Another role is for an admin to give: a stranger asking for it is refused, and nothing is made.
            let admin = try await Self.graphQL(
                client,
                #"mutation { registerUser(email: "x@example.com", password: "correct-horse", name: "X", role: admin) { id } }"#
            )
            #expect(admin.codes == ["customer.role_forbidden"])
            #expect(admin.data["registerUser"] == nil || admin.data["registerUser"] is NSNull)
            #expect(try await system.customers.identity.store.credentials(email: "x@example.com") == nil)
            let wrong = try await Self.graphQL(
                client, #"mutation { login(email: "eve@example.com", password: "not-the-password") { accessToken } }"#)
            #expect(wrong.codes == ["auth.invalid_credentials"])
            let login = try await Self.graphQL(
                client,
                #"mutation { login(email: "eve@example.com", password: "correct-horse") { accessToken tokenType } }"#)
            let eve = try #require((login.data["login"] as? [String: Any])?["accessToken"] as? String)
            try await system.publishPendingEvents()  // the orders service learns of the new account
            let me = try await Self.graphQL(client, "{ me { email orders { edges { node { id } } } } }", token: eve)
            #expect((me.data["me"] as? [String: Any])?["email"] as? String == "eve@example.com")
            #expect(try await Self.graphQL(client, "{ me { email } }").data["me"] is NSNull)

            let place = """
                mutation($order: NewOrder!, $key: String!) {
                  placeOrder(order: $order, idempotencyKey: $key) { id status lines { sku part { name } } total { amount } }
                }
                """
            let order = OrdersAPITests.orderBody([["sku": "PAD", "quantity": 2], ["sku": "DISC", "quantity": 1]])
            let placed = try await Self.graphQL(client, place, ["order": order, "key": "eve-1"], token: eve)
            let placedOrder = try #require(placed.data["placeOrder"] as? [String: Any], "\(placed.object)")
            #expect(placedOrder["status"] as? String == "pending_confirmation")
            let id = try #require(placedOrder["id"] as? String)
            // The same key places the order once.
            let again = try await Self.graphQL(client, place, ["order": order, "key": "eve-1"], token: eve)
            #expect((again.data["placeOrder"] as? [String: Any])?["id"] as? String == id, "\(again.object)")
            let bad = try await Self.graphQL(
                client, place, ["order": OrdersAPITests.orderBody([["sku": "PAD", "quantity": 0]]), "key": "eve-2"],
                token: eve)
            #expect(bad.codes == ["validation.failed"])
            let anonymous = try await Self.graphQL(client, place, ["order": order, "key": "anon-1"])
            #expect(anonymous.codes == ["auth.unauthenticated"])

            // Another customer sees neither the order by id nor in a list; staff see it.
            let query =
                "query($id: String!) { order(id: $id) { id customerId history { to } } orders { edges { node { id } } } }"
            let bob = try await Self.graphQL(client, query, ["id": id], token: world.bob)
            #expect(bob.data["order"] is NSNull)
            #expect(((bob.data["orders"] as? [String: Any])?["edges"] as? [[String: Any]])?.isEmpty == true)
            let staff = try await Self.graphQL(client, query, ["id": id], token: world.staff)
            #expect((staff.data["order"] as? [String: Any])?["id"] as? String == id)
            let users = try await Self.graphQL(
                client, "{ users(first: 100) { edges { node { email } } } }", token: world.bob)
            #expect(users.codes == ["auth.forbidden"])
            let eveId = try #require((registered.data["registerUser"] as? [String: Any])?["id"] as? String)
            let user = "query($id: String!) { user(id: $id) { email orders { edges { node { id } } } } }"
            let byAdmin = try await Self.graphQL(client, user, ["id": eveId], token: world.admin)
            let eveByAdmin = try #require(byAdmin.data["user"] as? [String: Any], "\(byAdmin.object)")
            #expect(eveByAdmin["email"] as? String == "eve@example.com")
            #expect(((eveByAdmin["orders"] as? [String: Any])?["edges"] as? [[String: Any]])?.count == 1)
            #expect(try await Self.graphQL(client, user, ["id": eveId], token: eve).data["user"] is [String: Any])
            #expect(try await Self.graphQL(client, user, ["id": eveId], token: world.bob).data["user"] is NSNull)
            #expect(try await client.json(.get, "/api/v1/customers/\(eveId)", token: world.bob).status == .notFound)
            #expect(try await client.json(.get, "/api/v1/customers/me", token: eve).object["id"] as? String == eveId)

            let cancelled = try await Self.graphQL(
                client, #"mutation($id: String!) { cancelOrder(id: $id, reason: "changed my mind") { status } }"#,
                ["id": id],
                token: eve)
            #expect((cancelled.data["cancelOrder"] as? [String: Any])?["status"] as? String == "cancelled")
        }
    }

    @Test(arguments: Engine.allCases)
    func staffPackShipAndTakePaymentAndTheOrderShowsItAll(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            let placed = try await client.json(
                .post, "/api/v1/orders", OrdersAPITests.orderBody([["sku": "PAD", "quantity": 2]]), token: world.ann)
            let orderId = try #require(placed.object["id"] as? String)
            try await system.publishPendingEvents()  // confirmed: a packing slip and an invoice

            let storefront = """
                query($id: String!) { order(id: $id) {
                  status lines { sku part { name availability { available warehouses { warehouse onHand reserved } } } }
                  packingSlips { id status lines { sku bin } } shipments { carrier trackingNumber status tracking { status } }
                  invoices { id number status balance { amount currency } payments { amount { amount } } } } }
                """
            let staffView = try await Self.graphQL(client, storefront, ["id": orderId], token: world.staff)
            #expect(staffView.errors.isEmpty, "\(staffView.object)")
            let order = try #require(staffView.data["order"] as? [String: Any])
            #expect(order["status"] as? String == "sent_to_warehouse")
            let line = try #require((order["lines"] as? [[String: Any]])?.first?["part"] as? [String: Any])
            let stock = try #require(line["availability"] as? [String: Any])
            #expect(stock["available"] as? Int == 98)
            #expect((stock["warehouses"] as? [[String: Any]])?.first?["reserved"] as? Int == 2)
            let slipId = try #require((order["packingSlips"] as? [[String: Any]])?.first?["id"] as? String)
            let invoice = try #require((order["invoices"] as? [[String: Any]])?.first)
            let invoiceId = try #require(invoice["id"] as? String)
            let balance = try #require((invoice["balance"] as? [String: Any])?["amount"] as? String)

            // The customer sees the order, its shipments and invoices, but not the warehouse's slips or stock.
            let customerView = try await Self.graphQL(client, storefront, ["id": orderId], token: world.ann)
            #expect(customerView.status == .ok)
            #expect(customerView.codes.contains("auth.forbidden"))
            let customerOrder = try #require(customerView.data["order"] as? [String: Any], "\(customerView.object)")
            #expect(customerOrder["status"] as? String == "sent_to_warehouse")
            #expect(customerOrder["packingSlips"] is NSNull)
            #expect((customerOrder["invoices"] as? [[String: Any]])?.count == 1)

            let pack = try await Self.graphQL(
                client, "mutation($id: String!) { packSlip(id: $id) { status } }", ["id": slipId], token: world.staff)
            #expect((pack.data["packSlip"] as? [String: Any])?["status"] as? String == "packed")
            let refused = try await Self.graphQL(
                client, "mutation($id: String!) { packSlip(id: $id) { status } }", ["id": slipId], token: world.ann)
            #expect(refused.codes == ["auth.forbidden"])
            try await system.publishPendingEvents()  // shipping learns the slip is packed
            let ship = """
                mutation($slip: String!) {
                  ship(packingSlipId: $slip, carrier: "DHL", trackingNumber: "JJD000123", idempotencyKey: "ship-1") { status carrier }
                }
                """
            let shipped = try await Self.graphQL(client, ship, ["slip": slipId], token: world.staff)
            #expect((shipped.data["ship"] as? [String: Any])?["status"] as? String == "shipped", "\(shipped.object)")
            // The same key ships once: the retry gets the first answer.
            let retried = try await Self.graphQL(client, ship, ["slip": slipId], token: world.staff)
            #expect((retried.data["ship"] as? [String: Any])?["carrier"] as? String == "DHL")

            let pay = """
                mutation($invoice: String!, $amount: String!) {
                  recordPayment(invoiceId: $invoice, idempotencyKey: "pay-1",
                    payment: {amount: $amount, currency: "EUR", method: bank_transfer, reference: "SEPA 42"}) {
                    status balance { amount } payments { reference } }
                }
                """
            let paid = try await Self.graphQL(
                client, pay, ["invoice": invoiceId, "amount": balance], token: world.staff)
            let paidInvoice = try #require(paid.data["recordPayment"] as? [String: Any], "\(paid.object)")
            #expect(paidInvoice["status"] as? String == "paid")
            let again = try await Self.graphQL(
                client, pay, ["invoice": invoiceId, "amount": balance], token: world.staff)
            #expect(((again.data["recordPayment"] as? [String: Any])?["payments"] as? [[String: Any]])?.count == 1)

            try await system.publishPendingEvents()
            let after = try await Self.graphQL(client, storefront, ["id": orderId], token: world.staff)
            let final = try #require(after.data["order"] as? [String: Any])
            #expect(final["status"] as? String == "shipped")
            #expect((final["shipments"] as? [[String: Any]])?.first?["trackingNumber"] as? String == "JJD000123")
        }
    }

    @Test(arguments: Engine.allCases)
    func aPartOnManyLinesIsFetchedOncePerRequest(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            for key in ["a", "b", "c"] {
                let body = OrdersAPITests.orderBody([["sku": "PAD", "quantity": 1], ["sku": "DISC", "quantity": 1]])
                let placed = try await client.json(
                    .post, "/api/v1/orders", body, token: world.ann, headers: [.init("Idempotency-Key")!: key])
                #expect(placed.status == .created)
            }
            let answer = try await Self.graphQL(
                client, "{ orders(first: 10) { edges { node { lines { part { name } } } } } }", token: world.ann)
            #expect(answer.errors.isEmpty)
            // One call for the page of orders and one for all their parts, not one per line (six lines).
            #expect(answer.calls == 2)
            let withStock = try await Self.graphQL(
                client,
                "{ orders(first: 10) { edges { node { lines { part { name availability { available } } } } } } }",
                token: world.ann)
            #expect(withStock.errors.isEmpty)
            #expect(withStock.calls == 3)  // the orders, their parts, their stock
            let stock = try await client.json(.get, "/api/v1/stock?skus=pad,DISC,NOPE")
            #expect(stock.items.compactMap { $0["sku"] as? String } == ["PAD", "DISC"])
            let kitAndParts = try await Self.graphQL(
                client, "{ parts(first: 10) { edges { node { sku components { part { name } } } } } }")
            #expect(kitAndParts.calls == 1)  // no kits: no component is looked up

            // The catalog's many-SKU lookup the batching uses.
            let many = try await client.json(.get, "/api/v1/parts?skus=pad,DISC,NOPE")
            #expect(many.items.compactMap { $0["sku"] as? String } == ["DISC", "PAD"])
            #expect(try await client.json(.get, "/api/v1/parts?skus=PAD,,DISC").status == .unprocessableContent)
        }
    }

    @Test func queriesOverTheLimitsAreRefusedBeforeAnythingRuns() async throws {
        try await SystemHarness.with(.sqlite) { system, client in
            var deep =
                "{ parts { edges { node { components { part { components { part { components { part { components { part { sku } } } } } } } } } } } }"
            var answer = try await Self.graphQL(client, deep)
            #expect(answer.status == .badRequest)
            #expect(answer.codes == ["graphql.query_too_deep"])
            deep =
                "{ orders(first: 100) { edges { node { lines { part { models(first: 100) { edges { node { model { id } } } } } } } } } }"
            answer = try await Self.graphQL(client, deep)
            #expect(answer.codes == ["graphql.query_too_costly"])
            answer = try await Self.graphQL(
                client, "{ parts { edges { node { sku } } } }" + String(repeating: " ", count: 20_000))
            #expect(answer.codes == ["graphql.query_too_large"])
            answer = try await Self.graphQL(client, "{ parts(first: 1000) { edges { node { sku } } } }")
            #expect(answer.codes == ["validation.failed"])
            answer = try await Self.graphQL(client, "{ parts { edges { node { sku } } ")
            #expect(answer.codes == ["graphql.parse_failed"])
            // Thousands of levels are refused before the parser (which recurses per level) sees them.
            let nested = "{" + String(repeating: "a{", count: 5_000) + "b" + String(repeating: "}", count: 5_001)
            answer = try await Self.graphQL(client, String(nested.prefix(15_000)))
            #expect(answer.codes == ["graphql.query_too_deep"])
            #expect(QueryLimits.nesting(of: #"{ a(q: "{{{[[(", b: """ {{ "" """) { c } } # {{{"#) == 2)
            let fragments =
                "fragment A on Part { sku ...B } fragment B on Part { name ...A } { parts { edges { node { ...A } } } }"
            answer = try await Self.graphQL(client, fragments)
            #expect(answer.status == .badRequest)  // fragments that spread each other are invalid GraphQL

            let malformed = try await client.json(.post, "/graphql", "not json")
            #expect(malformed.status == .badRequest)
            let get = try await client.json(.get, "/graphql?query=%7Bparts%7Bedges%7Bnode%7Bsku%7D%7D%7D%7D")
            #expect(get.status == .ok)
            let mutation = try await client.json(
                .get, "/graphql?query=mutation%7Blogin(email%3A%22a%40b.c%22%2Cpassword%3A%22x%22)%7BaccessToken%7D%7D")
            #expect(mutation.status == .methodNotAllowed)
            let page = try await client.execute(uri: "/graphql", method: .get, headers: [.accept: "text/html"])
            #expect(page.status == .ok)
            #expect(String(buffer: page.body).contains("<textarea"))
            #expect(!String(buffer: page.body).contains("http"))  // no asset from elsewhere

            let introspection = try await Self.graphQL(client, "{ __schema { queryType { name } types { name } } }")
            let types = ((introspection.data["__schema"] as? [String: Any])?["types"] as? [[String: Any]])?.compactMap {
                $0["name"] as? String
            }
            #expect(types?.contains("PartConnection") == true)
        }
    }
}
