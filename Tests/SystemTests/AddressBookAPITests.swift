import Foundation
import Hummingbird
import HummingbirdTesting
import SQLKit
import ServiceKit
import Storage
import Composition
import CustomersAPI
import OrdersAPI
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

    typealias BookAddress = CustomersAPI.Components.Schemas.Address

    /// Luc's garage, as the generated client sends it.
    static let typedWorkshop = BookAddress(
        firstName: "Luc", lastName: "Martin", company: "Garage Martin SARL", line1: "8 rue des Pistons", city: "Lyon",
        postalCode: "69003", country: .fr)

    /// An order of one pad naming only the addresses given (the book's defaults stand in for the others).
    static func padOrder(billing: OrdersAPI.Components.Schemas.Address? = nil)
        -> OrdersAPI.Operations.PlaceOrder.Input
        .Body
    {
        .json(.init(lines: [.init(sku: "PAD", quantity: 1)], billingAddress: billing))
    }

    @Test(arguments: Engine.allCases)
    func anOrderWithoutAddressesUsesTheDefaultsOfTheBook(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            let anonymous = client.clients().customers
            let berlin = OrdersAPITests.typedAddress
            _ = try await anonymous.registerCustomer(
                body: .json(
                    .init(
                        email: "carla@example.com", password: "correct-horse", name: "Carla",
                        address: .init(
                            firstName: berlin.firstName, lastName: berlin.lastName, company: berlin.company,
                            email: berlin.email, phone: berlin.phone, line1: berlin.line1, city: berlin.city,
                            postalCode: berlin.postalCode, country: .de)))
            ).created
            let carla = try await anonymous.issueToken(
                body: .json(.init(email: "carla@example.com", password: "correct-horse"))
            ).ok.body.json.accessToken
            let asCarla = client.clients(carla)

            // Registration put the address in the book, as the default of both kinds.
            let book = try await asCarla.customers.listAddresses().ok.body.json.items
            #expect(book.count == 1)
            let home = try #require(book.first?.id)
            #expect(book.first?.defaultShipping == true)
            #expect(book.first?.defaultBilling == true)
            #expect(book.first?.address.city == "Berlin")

            // A second address made the shipping default takes that from the first only.
            let added = try await asCarla.customers.addAddress(
                body: .json(.init(address: Self.typedWorkshop, label: " Workshop ", defaultShipping: true))
            ).created.body.json
            #expect(added.label == "Workshop")
            #expect(added.defaultShipping == true)
            #expect(added.defaultBilling == false)
            let workshop = added.id
            let both = try await asCarla.customers.listAddresses().ok.body.json.items
            #expect(both.map(\.id) == [home, workshop])
            #expect(both.map(\.defaultShipping) == [false, true])
            #expect(both.map(\.defaultBilling) == [true, false])

            // The defaults reach the orders service by event: an order naming no address uses them.
            try await system.publishPendingEvents()
            let line: [[String: Any]] = [["sku": "PAD", "quantity": 1]]
            let placed = try await asCarla.orders.placeOrder(body: Self.padOrder()).created.body.json
            #expect(placed.shippingAddress.city == "Lyon")
            #expect(placed.billingAddress.city == "Berlin")
            #expect(placed.taxRate == "19")

            // Without a default billing address, an order must name one: 409 naming the field.
            let unset = try await asCarla.customers.updateAddress(
                path: .init(addressId: home), body: .json(.init(defaultBilling: false))
            ).ok.body.json
            #expect(unset.defaultBilling == false)
            try await system.publishPendingEvents()
            let refused = try await client.json(.post, "/api/v1/orders", ["lines": line], token: carla)
            #expect(refused.status == .conflict)
            #expect(refused.code == "order.no_default_address")
            #expect(refused.fields == ["billingAddress"])
            let lyon = OrdersAPI.Components.Schemas.Address(
                firstName: "Luc", lastName: "Martin", line1: "8 rue des Pistons", city: "Lyon", postalCode: "69003",
                country: .fr)
            let named = try await asCarla.orders.placeOrder(body: Self.padOrder(billing: lyon)).created.body.json
            #expect(named.shippingAddress.city == "Lyon")

            // Removing the shipping default leaves none; orders already placed keep their copy.
            _ = try await asCarla.customers.deleteAddress(path: .init(addressId: workshop)).noContent
            try await system.publishPendingEvents()
            let noShipping = try await client.json(
                .post, "/api/v1/orders", ["lines": line, "billingAddress": Self.workshop], token: carla)
            #expect(noShipping.fields == ["shippingAddress"])
            let kept = try await asCarla.orders.getOrder(path: .init(id: placed.id)).ok.body.json
            #expect(kept.shippingAddress.city == "Lyon")

            // Another account sees none of it.
            #expect(try await client.clients(world.ann).customers.listAddresses().ok.body.json.items.isEmpty)
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
