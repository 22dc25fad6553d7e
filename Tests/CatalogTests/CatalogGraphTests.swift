import Catalog
import Foundation
import ServiceKit
import Storage
import Testing
import TestSupport

@Suite("The catalog graph on both engines: models, fitments, supersessions")
struct CatalogGraphTests {
    private func withStore(_ engine: Engine, _ body: (CatalogStore) async throws -> Void) async throws {
        try await TestDatabase.with(engine) { database in
            let store = CatalogStore(database: database, currency: "EUR")
            try await database.migrate(CatalogService.self, logger: TestDatabase.logger)
            try await body(store)
        }
    }

    private func part(_ store: CatalogStore, _ sku: String, components: [(sku: String, quantity: Int)]? = nil)
        async throws
    {
        _ = try await store.create(
            PartDraft(
                sku: sku, name: "Part \(sku)", description: "fits \(sku.lowercased())", price: ("10.00", "EUR"),
                components: components))
    }

    private func car(_ store: CatalogStore, id: String = "golf") async throws -> VehicleModel {
        try await store.createModel(
            try VehicleModel.create(
                kind: .car, make: "Volkswagen", model: "Golf", variant: "VII", engine: "1.4 TSI", yearFrom: 2013,
                yearTo: 2020, modelNumber: nil, id: id, now: Date()))
    }

    @Test(arguments: Engine.allCases)
    func whatFitsAModelIncludesKitsWhoseComponentsAllFit(engine: Engine) async throws {
        try await withStore(engine) { store in
            for sku in ["PAD", "DISC", "SENSOR", "WIPER"] { try await part(store, sku) }
            try await part(store, "KIT-BRAKE", components: [("PAD", 1), ("DISC", 2)])
            try await part(store, "KIT-BIG", components: [("KIT-BRAKE", 1), ("SENSOR", 1)])  // a kit of a kit
            try await part(store, "KIT-HALF", components: [("PAD", 1), ("WIPER", 1)])  // WIPER does not fit
            try await part(store, "KIT-FITTED", components: [("WIPER", 2)])  // fitted itself
            let golf = try await car(store)
            let polo = try await car(store, id: "polo")
            for sku in ["PAD", "DISC", "SENSOR", "KIT-FITTED"] {
                try await store.fit(Fitment(sku: sku, modelId: golf.id, position: "front axle", quantity: 2))
            }
            try await store.fit(Fitment(sku: "WIPER", modelId: polo.id))
            #expect(
                try await store.fittingSKUs(golf.id)
                    == ["PAD", "DISC", "SENSOR", "KIT-BRAKE", "KIT-BIG", "KIT-FITTED"])
            #expect(try await store.fittingSKUs(polo.id) == ["WIPER", "KIT-FITTED"])  // its only component fits

            let page = try await store.list(PartFilter(fits: golf.id), page: PageRequest(limit: 4))
            #expect(page.items.map(\.sku) == ["DISC", "KIT-BIG", "KIT-BRAKE", "KIT-FITTED"])
            let next = try await store.list(
                PartFilter(fits: golf.id), page: try PageRequest(limit: 4, cursor: page.nextCursor, keyCount: 1))
            #expect(next.items.map(\.sku) == ["PAD", "SENSOR"])
            #expect(
                try await store.list(PartFilter(query: "fits pad", fits: golf.id), page: PageRequest()).items.map(\.sku)
                    == ["PAD"])
            #expect(try await store.models(fitting: "PAD", page: PageRequest()).items.map(\.model.id) == ["golf"])
            // A kit fitted itself whose components all fit too is listed once.
            try await store.fit(Fitment(sku: "KIT-BRAKE", modelId: golf.id))
            #expect(
                try await store.list(PartFilter(fits: golf.id), page: PageRequest()).items.map(\.sku)
                    == ["DISC", "KIT-BIG", "KIT-BRAKE", "KIT-FITTED", "PAD", "SENSOR"])
            #expect(try await store.unfit(sku: "KIT-BRAKE", modelId: golf.id))

            // Unfitting a component takes its kits out too.
            #expect(try await store.unfit(sku: "DISC", modelId: golf.id))
            #expect(try await store.unfit(sku: "DISC", modelId: golf.id) == false)
            #expect(try await store.fittingSKUs(golf.id) == ["PAD", "SENSOR", "KIT-FITTED"])
            do {
                try await store.fit(Fitment(sku: "PAD", modelId: "no-such-model"))
                Issue.record("a fitment to an unknown model was stored")
            } catch let problem as Problem {
                #expect(problem.code == "catalog.model_not_found")
            }
        }
    }

    @Test(arguments: Engine.allCases)
    func aKitDoesNotFitWhenAKitInsideItDoesNot(engine: Engine) async throws {
        try await withStore(engine) { store in
            for sku in ["PAD", "SENSOR", "WIPER"] { try await part(store, sku) }
            try await part(store, "KIT-HALF", components: [("PAD", 1), ("WIPER", 1)])  // WIPER does not fit
            try await part(store, "KIT-OUTER", components: [("KIT-HALF", 1), ("SENSOR", 1)])  // above PAD, unfit below
            try await part(store, "KIT-NONE", components: [("WIPER", 3)])  // nothing in it is fitted
            try await part(store, "KIT-MIX", components: [("SENSOR", 1), ("KIT-NONE", 1)])
            try await part(store, "KIT-PAIR", components: [("PAD", 2)])
            try await part(store, "KIT-GOOD", components: [("KIT-PAIR", 1), ("SENSOR", 1)])  // a kit of a kit that fits
            try await part(store, "KIT-TOP", components: [("KIT-PAIR", 1), ("KIT-GOOD", 1), ("PAD", 1)])
            let golf = try await car(store)
            for sku in ["PAD", "SENSOR"] { try await store.fit(Fitment(sku: sku, modelId: golf.id)) }
            let fitting = ["PAD", "SENSOR", "KIT-GOOD", "KIT-PAIR", "KIT-TOP"]
            #expect(try await store.fittingSKUs(golf.id) == Set(fitting))
            // The page works it out in its own statement; the domain rules above decide the same.
            #expect(
                try await store.list(PartFilter(fits: golf.id), page: PageRequest()).items.map(\.sku)
                    == fitting.sorted())
            // Fitting the wiper makes every kit fit.
            try await store.fit(Fitment(sku: "WIPER", modelId: golf.id))
            #expect(
                try await store.list(PartFilter(fits: golf.id), page: PageRequest()).items.map(\.sku)
                    == (fitting + ["WIPER", "KIT-HALF", "KIT-OUTER", "KIT-NONE", "KIT-MIX"]).sorted())
        }
    }

    @Test(arguments: Engine.allCases)
    func supersessionChainsResolveToTheNewestActivePartAndCyclesAreRefused(engine: Engine) async throws {
        try await withStore(engine) { store in
            for sku in ["A", "B", "C", "D"] { try await part(store, sku) }
            try await store.supersede("A", by: "B")
            try await store.supersede("B", by: "C")
            #expect(try await store.replacement(of: "A") == ("B", "C"))
            _ = try await store.update("C", with: PartChanges(status: .discontinued))
            #expect(try await store.replacement(of: "A") == ("B", "B"))  // the newest that is still sold
            #expect(try await store.replacement(of: "C") == (nil, nil))
            // A listing reads every chain on its page at once.
            let listed = try await store.detailedList(PartFilter(), page: PageRequest()).items
            #expect(listed.map(\.part.sku) == ["A", "B", "C", "D"])
            #expect(listed.map(\.supersededBy) == ["B", "C", nil, nil])
            #expect(listed.map(\.current) == ["B", "C", nil, nil])  // B's successor is its chain's last part
            #expect(try await store.details(of: listed.map(\.part)) == listed)
            for (sku, newSku) in [("C", "A"), ("B", "A"), ("A", "A")] {
                do {
                    try await store.supersede(sku, by: newSku)
                    Issue.record("\(sku) → \(newSku) closed a cycle")
                } catch let problem as Problem {
                    #expect(problem.code == "catalog.supersession_cycle")
                }
            }
            // Re-pointing is fine when it makes no cycle.
            try await store.supersede("A", by: "D")
            #expect(try await store.replacement(of: "A") == ("D", "D"))
        }
    }
}

@Suite("The catalog's schema on PostgreSQL")
struct CatalogIndexTests {
    @Test func aFitPagesProbesByPartAndComponentHaveHashIndexes() async throws {
        try await TestDatabase.with(.postgres) { database in
            try await database.migrate(CatalogService.self, logger: TestDatabase.logger)
            let definitions = try await database.read { db in
                var definitions: [String: String] = [:]
                for row in try await db.raw(
                    """
                    SELECT indexname, indexdef FROM pg_indexes
                    WHERE schemaname = current_schema() AND tablename IN ('parts', 'part_components')
                    """
                ).all() {
                    definitions[try row.decode(column: "indexname", as: String.self)] = try row.decode(
                        column: "indexdef", as: String.self)
                }
                return definitions
            }
            #expect(definitions["parts_sku_hash"]?.hasSuffix("USING hash (sku)") == true)
            #expect(definitions["part_components_component_hash"]?.hasSuffix("USING hash (component_sku)") == true)
            #expect(definitions["part_components_component"] == nil, "the B-tree the hash index replaces")
            #expect(definitions["parts_pkey"] != nil, "the key's B-tree stays: pages are read in SKU order")
        }
    }

    @Test func fitmentsHaveNoForeignKeysTheirWritersCheckInstead() async throws {
        try await TestDatabase.with(.postgres) { database in
            try await database.migrate(CatalogService.self, logger: TestDatabase.logger)
            let keys = try await database.read { db in
                try await db.raw(
                    """
                    SELECT c.conname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
                    JOIN pg_namespace n ON n.oid = t.relnamespace
                    WHERE n.nspname = current_schema() AND t.relname = 'fitments' AND c.contype = 'f'
                    """
                ).all().map { try $0.decode(column: "conname", as: String.self) }
            }
            #expect(keys.isEmpty)
            // The writers' checks: an unknown part or model is refused, and nothing is written.
            let store = CatalogStore(database: database, currency: "EUR")
            _ = try await store.create(PartDraft(sku: "PAD", name: "Pad", price: ("1.00", "EUR")))
            for fitment in [Fitment(sku: "NOPE", modelId: "golf"), Fitment(sku: "PAD", modelId: "NOPE")] {
                await #expect(throws: Problem.self) { try await store.fit(fitment) }
            }
            let imported = try await store.importFitments([(2, Fitment(sku: "NOPE", modelId: "NOPE"))])
            #expect(imported.errors.map(\.message) == ["sku: no part NOPE; model_id: no model NOPE"])
            #expect(try await store.models(fitting: "PAD", page: PageRequest()).items.isEmpty)
        }
    }
}

@Suite("The category tree on both engines")
struct CatalogCategoryTests {
    @Test(arguments: Engine.allCases)
    func aCategoryIncludesItsSubcategoriesAndPathsAreMadeOnce(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let store = CatalogStore(database: database, currency: "EUR")
            try await database.migrate(CatalogService.self, logger: TestDatabase.logger)
            for sku in ["PAD", "DISC", "FILTER", "LOOSE"] {
                _ = try await store.create(PartDraft(sku: sku, name: "Part \(sku)", price: ("1.00", "EUR")))
            }
            try await store.setCategory(of: "PAD", to: "Brakes › Pads")
            try await store.setCategory(of: "DISC", to: "Brakes/Discs")
            try await store.setCategory(of: "FILTER", to: "Filters")
            let pads = try await store.ensureCategory("Brakes > Pads")  // the same node, not a new one
            #expect(pads.path == ["Brakes", "Pads"])
            let all = try await store.categories()
            #expect(
                all.map { $0.path.joined(separator: " › ") } == [
                    "Brakes", "Brakes › Discs", "Brakes › Pads", "Filters",
                ])
            let brakes = try #require(all.first { $0.path == ["Brakes"] })
            #expect(pads.parentId == brakes.id)
            #expect(try await store.skus(inCategory: brakes.id) == ["PAD", "DISC"])
            #expect(try await store.skus(inCategory: pads.id) == ["PAD"])
            // Paths shown with parts: the nodes read once are kept, and a node made later is still found
            // under them.
            #expect(try await store.details("DISC")?.category == ["Brakes", "Discs"])
            try await store.setCategory(of: "LOOSE", to: "Brakes/Discs/Vented")
            let listed = try await store.detailedList(PartFilter(), page: PageRequest()).items
            #expect(
                listed.map(\.category) == [
                    ["Brakes", "Discs"], ["Filters"], ["Brakes", "Discs", "Vented"], ["Brakes", "Pads"],
                ])
            // A store that keeps one node still shows whole paths.
            let forgetful = CatalogStore(database: database, currency: "EUR", categoryNodesKept: 1)
            #expect(try await forgetful.detailedList(PartFilter(), page: PageRequest()).items == listed)
            try await store.setCategory(of: "PAD", to: nil)
            try await store.setCategory(of: "LOOSE", to: nil)
            #expect(try await store.skus(inCategory: brakes.id) == ["DISC"])
            do {
                try await store.setCategory(of: "GHOST", to: "Brakes")
                Issue.record("a missing part got a category")
            } catch let problem as Problem {
                #expect(problem.code == "catalog.part_not_found")
            }
        }
    }
}
