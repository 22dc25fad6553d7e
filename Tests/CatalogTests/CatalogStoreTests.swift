import Catalog
import Foundation
import IntegrationEvents
import Messaging
import SQLKit
import ServiceKit
import Storage
import Testing
import TestSupport

@Suite("Catalog store on both engines")
struct CatalogStoreTests {
    private func withStore(_ engine: Engine, _ body: (CatalogStore) async throws -> Void) async throws {
        try await TestDatabase.with(engine) { database in
            let store = CatalogStore(database: database, currency: "EUR")
            try await database.migrate(CatalogService.self, logger: TestDatabase.logger)
            try await body(store)
        }
    }

    private func outbox(_ store: CatalogStore) async throws -> [(type: String, data: String)] {
        try await store.database.read { db in
            try await db.raw("SELECT type, data FROM outbox ORDER BY seq").all().map {
                (try $0.decode(column: "type", as: String.self), try $0.decode(column: "data", as: String.self))
            }
        }
    }

    private func part(_ sku: String, _ price: String = "10.00", components: [(sku: String, quantity: Int)]? = nil)
        -> PartDraft
    {
        PartDraft(
            sku: sku, name: "Part \(sku)", description: "about \(sku)", price: (price, "EUR"), components: components)
    }

    @Test(arguments: Engine.allCases)
    func creatingAPartStoresItAndItsEvent(engine: Engine) async throws {
        try await withStore(engine) { store in
            let created = try await store.create(
                PartDraft(
                    sku: "flt-oil-1", name: "Oil filter", price: ("9.80", "EUR"), weightGrams: 260,
                    attributes: ["brand": "Mann"]
                ))
            let read = try #require(try await store.part("FLT-OIL-1"))
            #expect(read.sku == "FLT-OIL-1")
            #expect(read.attributes == ["brand": "Mann"])
            #expect(read.weightGrams == 260)
            #expect(read.price == created.price)
            let events = try await outbox(store)
            #expect(events.map(\.type) == [CatalogPartUpserted.type])
            let event = try EventCoding.decoder.decode(CatalogPartUpserted.self, from: Data(events[0].data.utf8))
            #expect(event.sku == "FLT-OIL-1")
            #expect(event.price == MoneyAmount(amount: "9.80", currency: "EUR"))
            #expect(event.status == "active")
            #expect(event.kind == "part")
            #expect(event.version == 1)
        }
    }

    @Test(arguments: Engine.allCases)
    func skusAreUniqueRegardlessOfCase(engine: Engine) async throws {
        try await withStore(engine) { store in
            _ = try await store.create(part("BRK-1"))
            do {
                _ = try await store.create(part("brk-1"))
                Issue.record("a duplicate SKU was accepted")
            } catch let problem as Problem {
                #expect(problem.code == "catalog.sku_taken")
                #expect(problem.status == 409)
            }
            #expect(try await outbox(store).count == 1)
        }
    }

    @Test(arguments: Engine.allCases)
    func bundlesAreCheckedAgainstTheCatalogAndWriteNothingWhenRefused(engine: Engine) async throws {
        try await withStore(engine) { store in
            _ = try await store.create(part("A"))
            _ = try await store.create(part("B"))
            let kit = try await store.create(part("KIT", components: [("A", 2), ("B", 1)]))
            #expect(kit.kind == .bundle)
            _ = try await store.create(part("BIG", components: [("KIT", 3), ("A", 1)]))
            await #expect(throws: Problem.self) { try await store.create(part("BAD", components: [("GHOST", 1)])) }
            #expect(try await store.part("BAD") == nil)
            // KIT > BIG > KIT would be a cycle.
            await #expect(throws: Problem.self) {
                try await store.update("KIT", with: PartChanges(components: [("BIG", 1)]))
            }
            #expect(
                try await store.part("KIT")?.components == [
                    ComponentLine(sku: "A", quantity: 2), ComponentLine(sku: "B", quantity: 1),
                ])
            // A page carries each kit's recipe in its own order (read with the page), as one part does.
            let listed = try await store.list(PartFilter(), page: PageRequest()).items
            #expect(listed.map(\.sku) == ["A", "B", "BIG", "KIT"])
            #expect(listed.map(\.components) == [[], [], listed[2].components, kit.components])
            #expect(listed[2].components == (try await store.part("BIG"))?.components)
            #expect(
                listed[2].components == [ComponentLine(sku: "KIT", quantity: 3), ComponentLine(sku: "A", quantity: 1)])
            let tree = try #require(try await store.componentTree("big"))
            #expect(tree.leaves == [ComponentLine(sku: "A", quantity: 7), ComponentLine(sku: "B", quantity: 3)])
            #expect(try await outbox(store).count == 4)
        }
    }

    @Test(arguments: Engine.allCases)
    func priceChangesAndDiscontinuationArePublished(engine: Engine) async throws {
        try await withStore(engine) { store in
            _ = try await store.create(part("P-1", "10.00"))
            let repriced = try await store.update("P-1", with: PartChanges(price: ("11.50", "EUR")))
            #expect(repriced.version == 2)
            let discontinued = try await store.update("P-1", with: PartChanges(status: .discontinued))
            #expect(discontinued.status == .discontinued)
            let events = try await outbox(store)
            #expect(
                events.map(\.type) == [
                    CatalogPartUpserted.type, CatalogPartUpserted.type, CatalogPartUpserted.type,
                    CatalogPartDiscontinued.type,
                ])
            let second = try EventCoding.decoder.decode(CatalogPartUpserted.self, from: Data(events[1].data.utf8))
            #expect(second.price.amount == "11.50")
            let last = try EventCoding.decoder.decode(CatalogPartDiscontinued.self, from: Data(events[3].data.utf8))
            #expect(last.version == 3)
            do {
                _ = try await store.update("NOPE", with: PartChanges(name: "x"))
                Issue.record("an unknown part was updated")
            } catch let problem as Problem {
                #expect(problem.code == "catalog.part_not_found")
            }
        }
    }

    @Test(arguments: Engine.allCases)
    func listsPageStablyAndSearchAllWords(engine: Engine) async throws {
        try await withStore(engine) { store in
            for n in 0..<23 {
                _ = try await store.create(
                    PartDraft(
                        sku: String(format: "P-%03d", n), name: n % 2 == 0 ? "Front brake pad" : "Oil filter 50%",
                        price: ("1.00", "EUR")
                    ))
            }
            _ = try await store.create(part("KIT-Z", components: [("P-000", 1)]))
            var seen: [String] = []
            var page = PageRequest(limit: 5)
            while true {
                let result = try await store.list(PartFilter(), page: page)
                seen += result.items.map(\.sku)
                guard let cursor = result.nextCursor else { break }
                page = try PageRequest(limit: 5, cursor: cursor, keyCount: 1)
            }
            #expect(seen.count == 24)
            #expect(seen == seen.sorted())
            #expect(Set(seen).count == 24)
            let brakes = try await store.list(PartFilter(query: "BRAKE front"), page: PageRequest(limit: 200))
            #expect(brakes.items.count == 12)
            let percent = try await store.list(PartFilter(query: "50%"), page: PageRequest(limit: 200))
            #expect(percent.items.count == 11)
            let literal = try await store.list(PartFilter(query: "5_"), page: PageRequest(limit: 200))
            #expect(literal.items.isEmpty)
            let bundles = try await store.list(PartFilter(kind: .bundle), page: PageRequest(limit: 200))
            #expect(bundles.items.map(\.sku) == ["KIT-Z"])
            #expect(bundles.items.first?.components == [ComponentLine(sku: "P-000", quantity: 1)])
        }
    }
}
