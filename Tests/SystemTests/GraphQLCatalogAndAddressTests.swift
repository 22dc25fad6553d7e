import Foundation
import GraphQLGateway
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Storage
import Testing
import TestSupport

@Suite("GraphQL: parts, stock and address books, through the router")
struct GraphQLCatalogAndAddressTests {
    @Test(arguments: Engine.allCases)
    func adminsCreateAndChangePartsAndCustomersKeepTheirAddressBook(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            let create = """
                mutation($part: NewPartInput!) {
                  createPart(part: $part) { sku name price { amount currency } attributes { name value } components { sku quantity } }
                }
                """
            let kit: [String: Any] = [
                "sku": "kit-pads", "name": "Pad kit", "price": ["amount": "75.00", "currency": "EUR"],
                "attributes": [["name": "axle", "value": "front"]], "components": [["sku": "PAD", "quantity": 2]],
            ]
            let refused = try await GraphQLAPITests.graphQL(client, create, ["part": kit], token: world.ann)
            #expect(refused.codes == ["auth.forbidden"])
            let created = try await GraphQLAPITests.graphQL(client, create, ["part": kit], token: world.admin)
            let part = created.data["createPart"] as? [String: Any]
            #expect(part?["sku"] as? String == "KIT-PADS", "\(created.object)")
            #expect((part?["attributes"] as? [[String: Any]])?.first?["value"] as? String == "front")
            #expect((part?["components"] as? [[String: Any]])?.first?["quantity"] as? Int == 2)
            let bad = try await GraphQLAPITests.graphQL(
                client, create, ["part": ["sku": "X", "name": "X", "price": ["amount": "1.234", "currency": "EUR"]]],
                token: world.admin)
            #expect(bad.codes == ["validation.failed"])

            let update = """
                mutation { updatePart(sku: "KIT-PADS", changes: {price: {amount: "69.00", currency: "EUR"}, status: discontinued}) { price { amount } status } }
                """
            let updated = try await GraphQLAPITests.graphQL(client, update, token: world.admin)
            #expect((updated.data["updatePart"] as? [String: Any])?["status"] as? String == "discontinued")
            #expect(
                ((updated.data["updatePart"] as? [String: Any])?["price"] as? [String: Any])?["amount"] as? String
                    == "69.00")

            // The address book, and an order placed to its defaults.
            let add = """
                mutation($a: AddressInput!) { addAddress(address: $a, label: "Home") { id label defaultShipping defaultBilling address { city } } }
                """
            let added = try await GraphQLAPITests.graphQL(client, add, ["a": OrdersAPITests.address], token: world.ann)
            let entry = added.data["addAddress"] as? [String: Any]
            #expect(entry?["defaultShipping"] as? Bool == true && entry?["defaultBilling"] as? Bool == true)
            let id = try #require(entry?["id"] as? String)
            let relabelled = try await GraphQLAPITests.graphQL(
                client, #"mutation($id: String!) { updateAddress(id: $id, label: "Workshop") { label } }"#, ["id": id],
                token: world.ann)
            #expect((relabelled.data["updateAddress"] as? [String: Any])?["label"] as? String == "Workshop")
            let listed = try await GraphQLAPITests.graphQL(client, "{ addresses { id label } }", token: world.ann)
            #expect((listed.data["addresses"] as? [[String: Any]])?.map { $0["label"] as? String } == ["Workshop"])
            try await system.publishPendingEvents()
            let placed = try await GraphQLAPITests.graphQL(
                client,
                #"mutation { placeOrder(order: {lines: [{sku: "PAD", quantity: 1}]}, idempotencyKey: "gql-default-1") { shippingAddress { city } } }"#,
                token: world.ann)
            #expect(
                ((placed.data["placeOrder"] as? [String: Any])?["shippingAddress"] as? [String: Any])?["city"]
                    as? String
                    == "Berlin", "\(placed.object)")
            let deleted = try await GraphQLAPITests.graphQL(
                client, #"mutation($id: String!) { deleteAddress(id: $id) }"#, ["id": id], token: world.ann)
            #expect(deleted.data["deleteAddress"] as? Bool == true)
            let others = try await GraphQLAPITests.graphQL(client, "{ addresses { id } }", token: world.bob)
            #expect((others.data["addresses"] as? [Any])?.isEmpty == true)
        }
    }
}
