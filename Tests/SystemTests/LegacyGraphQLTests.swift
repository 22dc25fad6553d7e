import Foundation
import GraphQLGateway
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Storage
import Testing
import TestSupport

@Suite("The legacy GraphQL API through the router, on both engines")
struct LegacyGraphQLTests {
    @Test(arguments: Engine.allCases)
    func theLegacyClientsDocumentsRunVerbatim(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            let scenario = LegacyClientScenario(
                send: { path, body, token in
                    let response = try await client.json(.post, path, body, token: token)
                    return (Int(response.status.code), response.text)
                },
                settle: { try await system.publishPendingEvents() })
            try await scenario.run(admin: world.admin)
        }
    }

    @Test func theLegacySchemaIsServedBesideTheCurrentOneWithItsOwnQueryPage() async throws {
        try await SystemHarness.with(.sqlite) { _, client in
            // The current schema's names are not the legacy one's, and the other way round.
            let legacy = try await client.json(.post, "/graphql/legacy", ["query": "{ parts { edges { cursor } } }"])
            #expect(legacy.status == .badRequest)
            let current = try await client.json(.post, "/graphql", ["query": "{ products { id } }"])
            #expect(current.status == .badRequest)
            let page = try await client.execute(uri: "/graphql/legacy", method: .get, headers: [.accept: "text/html"])
            #expect(page.status == .ok)
            #expect(String(buffer: page.body).contains("location.pathname"))
            let get = try await client.json(.get, "/graphql/legacy?query=%7Bproducts%7Bid%7D%7D")
            #expect(get.status == .ok)
            let tooBig = try await client.json(
                .post, "/graphql/legacy", ["query": String(repeating: " ", count: 70_000) + "{ products { id } }"])
            #expect(tooBig.status == .contentTooLarge)
        }
    }

    @Test func legacyNumbersAreCheckedBeforeAnyServiceIsCalled() async throws {
        try await SystemHarness.with(.sqlite) { system, client in
            let admin = try await SystemHarness.token(system, client, role: .admin)
            let create = "mutation($p: Float!) { createProduct(input: {name: \"X\", price: $p}) { id } }"
            for price in [-1.0, 12.345, 1e14] {
                let answer = try await client.json(
                    .post, "/graphql/legacy", ["query": create, "variables": ["p": price]], token: admin)
                #expect(answer.text.contains("input.price"), "\(price): \(answer.text)")
            }
            let subtract = "mutation { updateInventory(input: {id: \"X\", type: 2, number: -4}) { id } }"
            let answer = try await client.json(.post, "/graphql/legacy", ["query": subtract], token: admin)
            #expect(answer.text.contains("catalog.part_not_found") || answer.text.contains("input.number"))
        }
    }
}
