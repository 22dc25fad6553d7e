import CatalogAPI
import Foundation
import HTTPTypes
import NIOCore
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Storage
import Testing
import TestSupport

@Suite("Catalog graph API (models, fitments, supersessions, categories) through the router, on both engines")
struct CatalogGraphAPITests {
    private static func part(_ sku: String, _ name: String, category: String? = nil, components: [[String: Any]]? = nil)
        -> [String: Any]
    {
        var body: [String: Any] = ["sku": sku, "name": name, "price": ["amount": "10.00", "currency": "EUR"]]
        if let category { body["category"] = category }
        if let components { body["components"] = components }
        return body
    }

    private static var golf: [String: Any] {
        [
            "id": "VW-GOLF7-14TSI", "kind": "car", "make": "Volkswagen", "model": "Golf VII", "engine": "1.4 TSI",
            "yearFrom": 2013, "yearTo": 2020,
        ]
    }

    @Test(arguments: Engine.allCases)
    func whatFitsMyCarIncludingKitsAndCategories(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let admin = try await SystemHarness.token(system, client, role: .admin)
            for body in [
                Self.part("PAD-F", "Front brake pads", category: "Brakes › Pads"),
                Self.part("DISC-F", "Front brake disc", category: "Brakes/Discs"),
                Self.part("FILTER-OIL", "Oil filter", category: "Engine › Filters"),
                Self.part("PUMP-D", "Drain pump"),
                Self.part(
                    "KIT-F", "Front brake kit",
                    components: [["sku": "PAD-F", "quantity": 1], ["sku": "DISC-F", "quantity": 2]]),
                Self.part(
                    "KIT-X", "Pads and pump",
                    components: [["sku": "PAD-F", "quantity": 1], ["sku": "PUMP-D", "quantity": 1]]),
            ] {
                #expect(try await client.json(.post, "/api/v1/parts", body, token: admin).status == .created)
            }
            let created = try await client.json(.post, "/api/v1/models", Self.golf, token: admin)
            #expect(created.status == .created)
            #expect(created.object["make"] as? String == "Volkswagen")
            #expect(try await client.json(.post, "/api/v1/models", Self.golf, token: admin).status == .conflict)
            let washer = try await client.json(
                .post, "/api/v1/models",
                ["kind": "appliance", "make": "Bosch", "model": "Serie 6", "modelNumber": "WAW28440"], token: admin)
            let washerId = try #require(washer.object["id"] as? String)
            let bad = try await client.json(
                .post, "/api/v1/models", ["kind": "car", "make": " ", "model": "X"], token: admin)
            #expect(bad.status == .unprocessableContent)
            let inverted = try await client.json(
                .post, "/api/v1/models", ["kind": "car", "make": "VW", "model": "X", "yearFrom": 2020, "yearTo": 2010],
                token: admin)
            #expect(inverted.status == .conflict)

            for sku in ["PAD-F", "disc-f", "FILTER-OIL"] {
                let fitted = try await client.json(
                    .put, "/api/v1/parts/\(sku)/fitments/VW-GOLF7-14TSI", ["position": "front axle", "quantity": 2],
                    token: admin)
                #expect(fitted.status == .ok)
            }
            #expect(
                try await client.json(
                    .put, "/api/v1/parts/PUMP-D/fitments/\(washerId)", nil as [String: Any]?, token: admin
                )
                .status == .ok)
            #expect(
                try await client.json(.put, "/api/v1/parts/NOPE/fitments/VW-GOLF7-14TSI", [:], token: admin).status
                    == .notFound)
            #expect(
                try await client.json(.put, "/api/v1/parts/PAD-F/fitments/NOPE", [:], token: admin).status == .notFound)
            #expect(
                try await client.json(.put, "/api/v1/parts/PAD-F/fitments/VW-GOLF7-14TSI", [:]).status == .unauthorized)

            // What fits: the fitted parts and the kit whose components all fit; not the kit with the pump.
            let catalog = client.clients().catalog
            let golf = Operations.ListModelParts.Input.Path(modelId: "VW-GOLF7-14TSI")
            func fitting(_ query: Operations.ListModelParts.Input.Query = .init()) async throws -> [String] {
                try await catalog.listModelParts(path: golf, query: query).ok.body.json.items.map(\.sku)
            }
            func parts(_ query: Operations.ListParts.Input.Query) async throws -> [String] {
                try await catalog.listParts(query: query).ok.body.json.items.map(\.sku)
            }
            #expect(try await fitting() == ["DISC-F", "FILTER-OIL", "KIT-F", "PAD-F"])
            #expect(try await parts(.init(q: "brake", fits: "VW-GOLF7-14TSI")) == ["DISC-F", "KIT-F", "PAD-F"])
            let paged = try await catalog.listModelParts(path: golf, query: .init(limit: 2)).ok.body.json
            #expect(paged.items.map(\.sku) == ["DISC-F", "FILTER-OIL"])
            let cursor = try #require(paged.nextCursor)
            #expect(try await fitting(.init(limit: 2, cursor: cursor)) == ["KIT-F", "PAD-F"])
            #expect(try await client.json(.get, "/api/v1/models/NOPE/parts").status == .notFound)
            #expect(try await client.json(.get, "/api/v1/parts?fits=NOPE").status == .notFound)

            // Categories: a tree; filtering by one includes what is below it.
            let categories = try await catalog.listCategories().ok.body.json.items
            #expect(
                categories.map(\.path) == ["Brakes", "Brakes › Discs", "Brakes › Pads", "Engine", "Engine › Filters"])
            let brakes = try #require(categories.first { $0.path == "Brakes" }?.id)
            #expect(try await fitting(.init(category: brakes)) == ["DISC-F", "PAD-F"])
            #expect(try await parts(.init(category: brakes)) == ["DISC-F", "PAD-F"])
            #expect(try await client.json(.get, "/api/v1/parts?category=nope").status == .notFound)
            #expect(try await catalog.getPart(path: .init(sku: "pad-f")).ok.body.json.category == "Brakes › Pads")
            let moved = try await client.clients(admin).catalog.updatePart(
                path: .init(sku: "PAD-F"), body: .json(.init(category: ""))
            ).ok.body.json
            #expect(moved.category == nil)

            // Where it fits, and unfitting.
            let models = try await catalog.listPartModels(path: .init(sku: "PAD-F")).ok.body.json.items
            #expect(models.map(\.model.id) == ["VW-GOLF7-14TSI"])
            #expect(models.first?.fitment.position == "front axle")
            let asAdmin = client.clients(admin).catalog
            _ = try await asAdmin.unfitPart(path: .init(sku: "DISC-F", modelId: "VW-GOLF7-14TSI")).noContent
            #expect(
                try await client.json(.delete, "/api/v1/parts/DISC-F/fitments/VW-GOLF7-14TSI", token: admin).status
                    == .notFound)
            #expect(try await fitting() == ["FILTER-OIL", "PAD-F"])

            // Model search.
            #expect(
                try await catalog.listModels(query: .init(q: "waw28440")).ok.body.json.items.map(\.id) == [washerId])
            #expect(
                try await catalog.listModels(query: .init(kind: .car, make: "volkswagen")).ok.body.json.items.count == 1
            )
            #expect(try await catalog.listModels(query: .init(kind: .truck)).ok.body.json.items.isEmpty)
            #expect(try await catalog.getModel(path: .init(modelId: "VW-GOLF7-14TSI")).ok.body.json.engine == "1.4 TSI")
        }
    }

    @Test(arguments: Engine.allCases)
    func supersessionChainsResolveAndOrdersNameTheSuccessor(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            let admin = world.admin
            for sku in ["PUMP-A", "PUMP-B", "PUMP-C"] {
                #expect(
                    try await client.json(.post, "/api/v1/parts", Self.part(sku, "Drain pump"), token: admin).status
                        == .created)
            }
            #expect(
                try await client.json(.put, "/api/v1/parts/PUMP-A/superseded-by/PUMP-B", token: world.staff).status
                    == .forbidden)
            let ab = try await client.json(.put, "/api/v1/parts/PUMP-A/superseded-by/PUMP-B", token: admin)
            #expect(ab.status == .ok)
            #expect(ab.object["supersededBy"] as? String == "PUMP-B")
            #expect(ab.object["current"] as? String == "PUMP-B")
            #expect(
                try await client.json(.put, "/api/v1/parts/PUMP-B/superseded-by/PUMP-C", token: admin).status == .ok)
            let cycle = try await client.json(.put, "/api/v1/parts/PUMP-C/superseded-by/PUMP-A", token: admin)
            #expect(cycle.status == .conflict)
            #expect(cycle.object["code"] as? String == "catalog.supersession_cycle")
            #expect(
                try await client.json(.put, "/api/v1/parts/PUMP-A/superseded-by/NOPE", token: admin).status == .notFound
            )

            // A discontinued, the chain's newest active part is C; then B is discontinued too.
            for sku in ["PUMP-A", "PUMP-B"] {
                #expect(
                    try await client.json(.patch, "/api/v1/parts/\(sku)", ["status": "discontinued"], token: admin)
                        .status == .ok)
            }
            let a = try await client.json(.get, "/api/v1/parts/PUMP-A")
            #expect(a.object["supersededBy"] as? String == "PUMP-B")
            #expect(a.object["current"] as? String == "PUMP-C")
            try await system.publishPendingEvents()

            let order = try await client.json(
                .post, "/api/v1/orders", OrdersAPITests.orderBody([["sku": "PUMP-A", "quantity": 1]]), token: world.ann)
            #expect(order.status == .unprocessableContent)
            #expect(order.object["code"] as? String == "order.part_superseded")
            let message = ((order.object["errors"] as? [[String: Any]])?.first?["message"] as? String) ?? ""
            #expect(message.contains("PUMP-C"))
            // A discontinued part nothing replaces stays a 409.
            #expect(
                try await client.json(.patch, "/api/v1/parts/DISC", ["status": "discontinued"], token: admin).status
                    == .ok)
            try await system.publishPendingEvents()
            let plain = try await client.json(
                .post, "/api/v1/orders", OrdersAPITests.orderBody([["sku": "DISC", "quantity": 1]]), token: world.ann)
            #expect(plain.status == .conflict)
        }
    }

    @Test(arguments: Engine.allCases)
    func anAdminUploadsACSVFileAndFollowsTheImport(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            func upload(_ kind: String, _ csv: String, token: String?) async throws -> JSONResponse {
                var headers: HTTPFields = [.contentType: "text/csv"]
                if let token { headers[.authorization] = "Bearer \(token)" }
                let response = try await client.execute(
                    uri: "/api/v1/imports?kind=\(kind)", method: .post, headers: headers, body: ByteBuffer(string: csv))
                return JSONResponse(
                    status: response.status, headers: response.headers, text: String(buffer: response.body))
            }
            func finished(_ id: String) async throws -> [String: Any] {
                for _ in 0..<200 {
                    let job = try await client.json(.get, "/api/v1/imports/\(id)", token: world.admin)
                    if job.object["status"] as? String != "running" { return job.object }
                    try await Task.sleep(for: .milliseconds(25))
                }
                Issue.record("the import did not finish")
                return [:]
            }
            let csv =
                "sku,name,price,components\nPAD,Part PAD,42.00,\nNEW-1,New part,5.00,\nBAD,,1.00,\nKIT-NEW,Kit,60.00,PAD*2;DISC\n"
            #expect(try await upload("parts", csv, token: world.staff).status == .forbidden)
            #expect(try await upload("boats", csv, token: world.admin).status == .badRequest)
            let started = try await upload("parts", csv, token: world.admin)
            #expect(started.status == .accepted)
            let id = try #require(started.object["id"] as? String)
            let job = try await finished(id)
            #expect(job["status"] as? String == "finished")
            #expect(job["rows"] as? Int == 4)
            #expect(job["created"] as? Int == 2)
            #expect(job["updated"] as? Int == 1)
            #expect(job["failed"] as? Int == 1)
            #expect((job["errors"] as? [[String: Any]])?.first?["line"] as? Int == 4)
            #expect(try await client.json(.get, "/api/v1/imports/nope", token: world.admin).status == .notFound)

            // The imported price reaches the orders replica like any other change.
            try await system.publishPendingEvents()
            let order = try await client.json(
                .post, "/api/v1/orders",
                OrdersAPITests.orderBody([["sku": "PAD", "quantity": 1], ["sku": "NEW-1", "quantity": 2]]),
                token: world.ann)
            #expect(order.status == .created)
            #expect((order.object["subtotal"] as? [String: Any])?["amount"] as? String == "52.00")
            // Inventory learned the imported kit's recipe from the batch: 100 pads and 100 discs make 50 kits.
            let kit = try await client.json(.get, "/api/v1/stock/KIT-NEW", token: world.staff)
            #expect(kit.object["available"] as? Int == 50)

            // A file that is not one of the documented kinds is refused at once, naming why.
            let bad = try await upload("models", "id,kind\nX,car\n", token: world.admin)
            #expect(bad.status == .conflict)
            #expect(bad.code == "catalog.import_unreadable")
            #expect((bad.object["detail"] as? String)?.contains("missing columns: make, model") == true)
            #expect(try await upload("parts", "[]", token: world.admin).status == .conflict)
            // One that goes wrong half-way fails the job, keeping the rows before.
            let broken = try await upload("parts", "sku,name,price\nOK-9,Fine,1.00\nX,\"open,1\n", token: world.admin)
            let brokenJob = try await finished(try #require(broken.object["id"] as? String))
            #expect(brokenJob["status"] as? String == "failed")
            #expect(brokenJob["created"] as? Int == 1)
        }
    }
}
