import Foundation
import Hummingbird
import HummingbirdTesting
import IntegrationEvents
import Messaging
import ServiceKit
import Storage
import Testing
import TestSupport

@Suite("Catalog API through the router, on both engines")
struct CatalogAPITests {
    private static var brakePad: [String: Any] {
        [
            "sku": "brk-pad-1", "name": "Front brake pad set", "description": "Ceramic",
            "price": ["amount": "39.90", "currency": "EUR"], "weightGrams": 1850, "attributes": ["position": "front"],
        ]
    }

    @Test(arguments: Engine.allCases)
    func writesNeedAnAdmin(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let anonymous = try await client.json(.post, "/api/v1/parts", Self.brakePad)
            #expect(anonymous.status == .unauthorized)
            let customer = try await SystemHarness.token(system, client, role: .customer)
            let staff = try await SystemHarness.token(system, client, role: .staff)
            #expect(try await client.json(.post, "/api/v1/parts", Self.brakePad, token: customer).status == .forbidden)
            #expect(try await client.json(.post, "/api/v1/parts", Self.brakePad, token: staff).status == .forbidden)
            #expect(
                try await client.json(.patch, "/api/v1/parts/BRK-PAD-1", ["name": "x"], token: staff).status
                    == .forbidden)
            #expect(try await client.json(.get, "/api/v1/parts").items.isEmpty)
        }
    }

    @Test(arguments: Engine.allCases)
    func anAdminManagesPartsAndBundles(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let admin = try await SystemHarness.token(system, client, role: .admin)
            let created = try await client.json(.post, "/api/v1/parts", Self.brakePad, token: admin)
            #expect(created.status == .created)
            #expect(created.object["sku"] as? String == "BRK-PAD-1")
            #expect(created.object["kind"] as? String == "part")
            #expect((created.object["price"] as? [String: String])?["amount"] == "39.90")
            let disc: [String: Any] = [
                "sku": "BRK-DSC-1", "name": "Brake disc", "price": ["amount": "54", "currency": "EUR"],
            ]
            #expect(try await client.json(.post, "/api/v1/parts", disc, token: admin).status == .created)

            let kit: [String: Any] = [
                "sku": "KIT-BRK-1", "name": "Brake kit", "price": ["amount": "129.00", "currency": "EUR"],
                "components": [["sku": "brk-dsc-1", "quantity": 2], ["sku": "BRK-PAD-1", "quantity": 1]],
            ]
            let bundle = try await client.json(.post, "/api/v1/parts", kit, token: admin)
            #expect(bundle.status == .created)
            #expect(bundle.object["kind"] as? String == "bundle")
            let outer: [String: Any] = [
                "sku": "KIT-OUTER", "name": "Two brake kits", "price": ["amount": "250.00", "currency": "EUR"],
                "components": [["sku": "KIT-BRK-1", "quantity": 2]],
            ]
            #expect(try await client.json(.post, "/api/v1/parts", outer, token: admin).status == .created)
            let tree = try await client.json(.get, "/api/v1/parts/kit-outer/components")
            #expect(tree.status == .ok)
            let leaves = try #require(tree.object["leaves"] as? [[String: Any]])
            #expect(leaves.map { "\($0["sku"] ?? "") x\($0["quantity"] ?? "")" } == ["BRK-DSC-1 x4", "BRK-PAD-1 x2"])
            let root = try #require(tree.object["root"] as? [String: Any])
            #expect(((root["components"] as? [[String: Any]])?.first?["components"] as? [Any])?.count == 2)

            let cycle = try await client.json(
                .patch, "/api/v1/parts/KIT-BRK-1", ["components": [["sku": "KIT-OUTER", "quantity": 1]]], token: admin)
            #expect(cycle.status == .conflict)
            #expect(cycle.code == "catalog.invalid_bundle")
            #expect(cycle.fields == ["components.0.sku"])

            let repriced = try await client.json(
                .patch, "/api/v1/parts/brk-pad-1", ["price": ["amount": "41.50", "currency": "EUR"]], token: admin)
            #expect(repriced.status == .ok)
            #expect((repriced.object["price"] as? [String: String])?["amount"] == "41.50")
            #expect(repriced.object["version"] as? Int == 2)
            let discontinued = try await client.json(
                .patch, "/api/v1/parts/BRK-PAD-1", ["status": "discontinued"], token: admin)
            #expect(discontinued.object["status"] as? String == "discontinued")
            let read = try await client.json(.get, "/api/v1/parts/Brk-Pad-1")
            #expect(read.object["status"] as? String == "discontinued")
            let active = try await client.json(.get, "/api/v1/parts?status=active")
            #expect(active.items.compactMap { $0["sku"] as? String } == ["BRK-DSC-1", "KIT-BRK-1", "KIT-OUTER"])
            let search = try await client.json(.get, "/api/v1/parts?q=brake%20kit")
            #expect(search.items.compactMap { $0["sku"] as? String } == ["KIT-BRK-1", "KIT-OUTER"])
        }
    }

    @Test(arguments: Engine.allCases)
    func badInputIsRefusedWithFieldErrorsAndWritesNothing(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let admin = try await SystemHarness.token(system, client, role: .admin)
            let cases: [(Any, HTTPResponse.Status, [String])] = [
                (
                    ["sku": "bad sku!", "name": "", "price": ["amount": "1.999", "currency": "EUR"]],
                    .unprocessableContent, ["name", "price.amount", "sku"]
                ),
                (
                    ["sku": "A-1", "name": "x", "price": ["amount": "1.00", "currency": "USD"]], .conflict,
                    ["price.currency"]
                ),
                (
                    ["sku": "A-1", "name": "x", "price": ["amount": "1.00", "currency": "EUR"], "weightGrams": -5],
                    .unprocessableContent, ["weightGrams"]
                ),
                (
                    [
                        "sku": "A-1", "name": "x", "price": ["amount": "1.00", "currency": "EUR"],
                        "components": [["sku": "GHOST", "quantity": 1]],
                    ], .conflict, ["components.0.sku"]
                ),
                (["sku": "A-1", "name": "x"], .unprocessableContent, ["price"]),
                (["sku": "A-1", "name": "x", "price": "free"], .unprocessableContent, ["price"]),
                ("{not json", .badRequest, []),
            ]
            for (body, status, fields) in cases {
                let response = try await client.json(.post, "/api/v1/parts", body, token: admin)
                #expect(response.status == status, "\(body)")
                #expect(response.headers[.contentType] == "application/problem+json")
                #expect(response.code != nil)
                if !fields.isEmpty { #expect(response.fields == fields, "\(body)") }
            }
            #expect(try await client.json(.get, "/api/v1/parts").items.isEmpty)
            #expect(try await Outbox.pendingCount(in: system.catalog.store.database) == 0)
            #expect(try await client.json(.get, "/api/v1/parts/NOPE").code == "catalog.part_not_found")
            #expect(try await client.json(.get, "/api/v1/parts/bad%20sku").status == .notFound)
            #expect(try await client.json(.get, "/api/v1/parts?q=%00").status == .unprocessableContent)
            #expect(try await client.json(.get, "/api/v1/parts?limit=0").status == .unprocessableContent)
            #expect(try await client.json(.get, "/api/v1/parts?cursor=not%20a%20sku").fields == ["cursor"])
            #expect(try await client.json(.get, "/api/v1/parts?cursor=zzz").status == .ok)
            #expect(try await client.json(.get, "/api/v1/parts?status=sold").status == .badRequest)
            #expect(try await client.json(.delete, "/api/v1/parts/A-1", token: admin).status.code >= 400)
        }
    }

    @Test(arguments: Engine.allCases)
    func creatingWithAnIdempotencyKeyTwiceCreatesOnce(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let admin = try await SystemHarness.token(system, client, role: .admin)
            let first = try await client.json(
                .post, "/api/v1/parts", Self.brakePad, token: admin, headers: [.idempotencyKey: "create-1"])
            let retry = try await client.json(
                .post, "/api/v1/parts", Self.brakePad, token: admin, headers: [.idempotencyKey: "create-1"])
            #expect(first.status == .created)
            #expect(retry.status == .created)
            #expect(retry.headers[.idempotentReplayed] == "true")
            #expect(retry.text == first.text)
            let without = try await client.json(.post, "/api/v1/parts", Self.brakePad, token: admin)
            #expect(without.code == "catalog.sku_taken")
        }
    }

    @Test(arguments: Engine.allCases)
    func catalogEventsReachSubscribersThroughTheRelay(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let received = Received()
            try await system.transport.subscribe(
                consumer: "test", types: [CatalogPartUpserted.type, CatalogPartDiscontinued.type]
            ) {
                received.append($0)
            }
            let admin = try await SystemHarness.token(system, client, role: .admin)
            _ = try await client.json(.post, "/api/v1/parts", Self.brakePad, token: admin)
            _ = try await client.json(.patch, "/api/v1/parts/BRK-PAD-1", ["status": "discontinued"], token: admin)
            let relay = OutboxRelay(
                database: system.catalog.store.database, transport: system.transport, logger: TestDatabase.logger)
            #expect(try await relay.publishPending() == 3)
            #expect(
                received.all.map(\.type) == [
                    CatalogPartUpserted.type, CatalogPartUpserted.type, CatalogPartDiscontinued.type,
                ])
            let event = try received.all[1].decode(CatalogPartUpserted.self)
            #expect(event.status == "discontinued")
            #expect(received.all[0].source == "/catalog")
            #expect(received.all[0].subject == "BRK-PAD-1")
        }
    }

    @Test func healthAndDocsAreServed() async throws {
        try await SystemHarness.with(.sqlite) { _, client in
            #expect(try await client.json(.get, "/health/live").status == .ok)
            #expect(try await client.json(.get, "/health/ready").object["status"] as? String == "ready")
            let spec = try await client.json(.get, "/openapi/catalog.yaml")
            #expect(spec.status == .ok)
            #expect(spec.text.contains("operationId: createPart"))
            #expect(try await client.json(.get, "/openapi/customers.yaml").text.contains("operationId: issueToken"))
            #expect(try await client.json(.get, "/openapi/orders.yaml").text.contains("operationId: placeOrder"))
            #expect(try await client.json(.get, "/openapi/nothing.yaml").status == .notFound)
            #expect(try await client.json(.get, "/docs").text.contains("/openapi/catalog.yaml"))
        }
    }
}

final class Received: @unchecked Sendable {
    private let lock = NSLock()
    private var envelopes: [EventEnvelope] = []
    func append(_ envelope: EventEnvelope) { lock.withLock { envelopes.append(envelope) } }
    var all: [EventEnvelope] { lock.withLock { envelopes } }
}
