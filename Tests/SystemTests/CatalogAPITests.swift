import CatalogAPI
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
            let catalog = client.clients(admin).catalog
            func create(_ part: Components.Schemas.NewPart) async throws -> Components.Schemas.Part {
                try await catalog.createPart(body: .json(part)).created.body.json
            }
            func euro(_ amount: String) -> Components.Schemas.Money { .init(amount: amount, currency: "EUR") }
            let created = try await create(
                .init(
                    sku: "brk-pad-1", name: "Front brake pad set", description: "Ceramic", price: euro("39.90"),
                    weightGrams: 1850, attributes: .init(additionalProperties: ["position": "front"])))
            #expect(created.sku == "BRK-PAD-1")
            #expect(created.kind == .part)
            #expect(created.price.amount == "39.90")
            #expect(created.attributes.additionalProperties == ["position": "front"])
            _ = try await create(.init(sku: "BRK-DSC-1", name: "Brake disc", price: euro("54")))

            let bundle = try await create(
                .init(
                    sku: "KIT-BRK-1", name: "Brake kit", price: euro("129.00"),
                    components: [.init(sku: "brk-dsc-1", quantity: 2), .init(sku: "BRK-PAD-1", quantity: 1)]))
            #expect(bundle.kind == .bundle)
            _ = try await create(
                .init(
                    sku: "KIT-OUTER", name: "Two brake kits", price: euro("250.00"),
                    components: [.init(sku: "KIT-BRK-1", quantity: 2)]))
            let tree = try await catalog.getPartComponents(path: .init(sku: "kit-outer")).ok.body.json
            #expect(tree.leaves.map { "\($0.sku) x\($0.quantity)" } == ["BRK-DSC-1 x4", "BRK-PAD-1 x2"])
            #expect(tree.root.components.first?.components.count == 2)

            let cycle = try await client.json(
                .patch, "/api/v1/parts/KIT-BRK-1", ["components": [["sku": "KIT-OUTER", "quantity": 1]]], token: admin)
            #expect(cycle.status == .conflict)
            #expect(cycle.code == "catalog.invalid_bundle")
            #expect(cycle.fields == ["components.0.sku"])

            let repriced = try await catalog.updatePart(
                path: .init(sku: "brk-pad-1"), body: .json(.init(price: euro("41.50")))
            ).ok.body.json
            #expect(repriced.price.amount == "41.50")
            #expect(repriced.version == 2)
            let discontinued = try await catalog.updatePart(
                path: .init(sku: "BRK-PAD-1"), body: .json(.init(status: .discontinued))
            ).ok.body.json
            #expect(discontinued.status == .discontinued)
            let anyone = client.clients().catalog
            #expect(try await anyone.getPart(path: .init(sku: "Brk-Pad-1")).ok.body.json.status == .discontinued)
            let active = try await anyone.listParts(query: .init(status: .active)).ok.body.json.items
            #expect(active.map(\.sku) == ["BRK-DSC-1", "KIT-BRK-1", "KIT-OUTER"])
            let search = try await anyone.listParts(query: .init(q: "brake kit")).ok.body.json.items
            #expect(search.map(\.sku) == ["KIT-BRK-1", "KIT-OUTER"])
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
