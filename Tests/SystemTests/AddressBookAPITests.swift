import Foundation
import Hummingbird
import HummingbirdTesting
import SQLKit
import ServiceKit
import Storage
import Composition
import Testing
import TestSupport

@Suite("Address books through the router, on both engines")
struct AddressBookAPITests {
    static var workshop: [String: Any] {
        [
            "firstName": "Luc", "lastName": "Martin", "company": "Garage Martin SARL", "line1": "8 rue des Pistons",
            "city": "Lyon", "postalCode": "69003", "country": "FR",
        ]
    }

    @Test(arguments: Engine.allCases)
    func anOrderWithoutAddressesUsesTheDefaultsOfTheBook(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            let registration: [String: Any] = [
                "email": "carla@example.com", "name": "Carla", "password": "correct-horse",
                "address": OrdersAPITests.address,
            ]
            #expect(try await client.json(.post, "/api/v1/customers", registration).status == .created)
            let login = try await client.json(
                .post, "/api/v1/auth/token", ["email": "carla@example.com", "password": "correct-horse"])
            let carla = try #require(login.object["accessToken"] as? String)

            // Registration put the address in the book, as the default of both kinds.
            let book = try await client.json(.get, "/api/v1/customers/me/addresses", token: carla)
            #expect(book.status == .ok)
            #expect(book.items.count == 1)
            let home = try #require(book.items.first?["id"] as? String)
            #expect(book.items.first?["defaultShipping"] as? Bool == true)
            #expect(book.items.first?["defaultBilling"] as? Bool == true)
            #expect((book.items.first?["address"] as? [String: Any])?["city"] as? String == "Berlin")

            // A second address made the shipping default takes that from the first only.
            let added = try await client.json(
                .post, "/api/v1/customers/me/addresses",
                ["address": Self.workshop, "label": " Workshop ", "defaultShipping": true], token: carla)
            #expect(added.status == .created)
            #expect(added.object["label"] as? String == "Workshop")
            #expect(added.object["defaultShipping"] as? Bool == true)
            #expect(added.object["defaultBilling"] as? Bool == false)
            let workshop = try #require(added.object["id"] as? String)
            let both = try await client.json(.get, "/api/v1/customers/me/addresses", token: carla)
            #expect(both.items.map { $0["id"] as? String } == [home, workshop])
            #expect(both.items.map { $0["defaultShipping"] as? Bool } == [false, true])
            #expect(both.items.map { $0["defaultBilling"] as? Bool } == [true, false])

            // The defaults reach the orders service by event: an order naming no address uses them.
            try await system.publishPendingEvents()
            let line: [[String: Any]] = [["sku": "PAD", "quantity": 1]]
            let placed = try await client.json(.post, "/api/v1/orders", ["lines": line], token: carla)
            #expect(placed.status == .created, "\(placed.text)")
            #expect((placed.object["shippingAddress"] as? [String: Any])?["city"] as? String == "Lyon")
            #expect((placed.object["billingAddress"] as? [String: Any])?["city"] as? String == "Berlin")
            #expect(placed.object["taxRate"] as? String == "19")

            // Without a default billing address, an order must name one: 409 naming the field.
            let unset = try await client.json(
                .patch, "/api/v1/customers/me/addresses/\(home)", ["defaultBilling": false], token: carla)
            #expect(unset.status == .ok)
            #expect(unset.object["defaultBilling"] as? Bool == false)
            try await system.publishPendingEvents()
            let refused = try await client.json(.post, "/api/v1/orders", ["lines": line], token: carla)
            #expect(refused.status == .conflict)
            #expect(refused.code == "order.no_default_address")
            #expect(refused.fields == ["billingAddress"])
            let named = try await client.json(
                .post, "/api/v1/orders", ["lines": line, "billingAddress": Self.workshop], token: carla)
            #expect(named.status == .created)
            #expect((named.object["shippingAddress"] as? [String: Any])?["city"] as? String == "Lyon")

            // Removing the shipping default leaves none; orders already placed keep their copy.
            let removed = try await client.json(.delete, "/api/v1/customers/me/addresses/\(workshop)", token: carla)
            #expect(removed.status == .noContent)
            try await system.publishPendingEvents()
            let noShipping = try await client.json(
                .post, "/api/v1/orders", ["lines": line, "billingAddress": Self.workshop], token: carla)
            #expect(noShipping.fields == ["shippingAddress"])
            let first = try #require(placed.object["id"] as? String)
            let kept = try await client.json(.get, "/api/v1/orders/\(first)", token: carla)
            #expect((kept.object["shippingAddress"] as? [String: Any])?["city"] as? String == "Lyon")

            // Another account sees none of it.
            #expect(try await client.json(.get, "/api/v1/customers/me/addresses", token: world.ann).items.isEmpty)
            for method in [HTTPRequest.Method.get, .delete] {
                let other = try await client.json(method, "/api/v1/customers/me/addresses/\(home)", token: world.ann)
                #expect(other.status == .notFound)
                #expect(other.code == "customer.address_not_found")
            }
            #expect(try await client.json(.get, "/api/v1/customers/me/addresses/\(home)", token: carla).status == .ok)
            #expect(try await client.json(.get, "/api/v1/customers/me/addresses").status == .unauthorized)
        }
    }

    @Test(arguments: Engine.allCases)
    func badAddressesAreRefusedAndWriteNothing(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let token = try await SystemHarness.token(system, client, role: .customer)
            var bad = Self.workshop
            bad["country"] = "XX"
            bad["postalCode"] = "69003; DROP"
            let refused = try await client.json(
                .post, "/api/v1/customers/me/addresses", ["address": bad], token: token)
            #expect(refused.status == .unprocessableContent)
            var blank = Self.workshop
            blank["city"] = "   "
            let blankCity = try await client.json(
                .post, "/api/v1/customers/me/addresses", ["address": blank], token: token)
            #expect(blankCity.status == .unprocessableContent)
            #expect(blankCity.fields.contains("address.city") || blankCity.fields.contains("body.address.city"))
            let longLabel = try await client.json(
                .post, "/api/v1/customers/me/addresses",
                ["address": Self.workshop, "label": String(repeating: "x", count: 101)], token: token)
            #expect(longLabel.status == .unprocessableContent)
            let registration: [String: Any] = [
                "email": "dora@example.com", "name": "Dora", "password": "correct-horse", "address": bad,
            ]
            #expect(try await client.json(.post, "/api/v1/customers", registration).status == .unprocessableContent)
            let rows = try await system.customers.identity.store.database.read { db in
                try await db.raw("SELECT count(*) AS n FROM customer_addresses").first()?.decode(
                    column: "n", as: Int.self)
            }
            #expect(rows == 0)
            #expect(try await system.customers.identity.store.credentials(email: "dora@example.com") == nil)
            let missing = try await client.json(
                .patch, "/api/v1/customers/me/addresses/0190aaaa-0000-7000-8000-000000000000", ["label": "x"],
                token: token)
            #expect(missing.status == .notFound)
        }
    }

    @Test func aBookHoldsFiftyAddresses() async throws {
        try await SystemHarness.with(.sqlite) { system, client in
            let token = try await SystemHarness.token(system, client, role: .customer)
            for index in 0..<50 {
                var address = Self.workshop
                address["line2"] = "Box \(index)"
                let added = try await client.json(
                    .post, "/api/v1/customers/me/addresses", ["address": address], token: token)
                #expect(added.status == .created)
                #expect(added.object["defaultShipping"] as? Bool == (index == 0))
            }
            let full = try await client.json(
                .post, "/api/v1/customers/me/addresses", ["address": Self.workshop], token: token)
            #expect(full.status == .conflict)
            #expect(full.code == "customer.address_book_full")
        }
    }

    @Test(arguments: Engine.allCases)
    func onlyAnAdminCreatesStaffAndAdminAccounts(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let customer = try await SystemHarness.token(system, client, role: .customer)
            let admin = try await SystemHarness.token(system, client, role: .admin)
            let body: [String: Any] = [
                "email": "eve@example.com", "name": "Eve", "password": "correct-horse", "role": "admin",
            ]
            for token in [nil, customer] {
                let refused = try await client.json(.post, "/api/v1/customers", body, token: token)
                #expect(refused.status == .forbidden)
                #expect(refused.code == "customer.role_forbidden")
            }
            #expect(try await system.customers.identity.store.credentials(email: "eve@example.com") == nil)
            let created = try await client.json(.post, "/api/v1/customers", body, token: admin)
            #expect(created.status == .created)
            #expect(created.object["role"] as? String == "admin")
            var plain = body
            plain["email"] = "fay@example.com"
            plain["role"] = "customer"
            let customerAccount = try await client.json(.post, "/api/v1/customers", plain)
            #expect(customerAccount.object["role"] as? String == "customer")
        }
    }
}
