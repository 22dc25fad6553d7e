import Catalog
import Foundation
import ServiceKit
import Storage
import Testing
import TestSupport

@Suite("Part search over thousands of parts on both engines: the trigram index or a scan in SKU order")
struct PartSearchTests {
    private static let count = 3_000
    /// Words on more parts than this are common: SQLite scans for them in SKU order.
    private static let indexLimit = 1_000
    private static let zebra = 2_950
    private static let yaks = [150, 2_250, 2_990]
    private static let frontAndRear = 2_900

    private func withCatalog(_ engine: Engine, _ body: (CatalogStore) async throws -> Void) async throws {
        try await TestDatabase.with(engine) { database in
            let store = CatalogStore(database: database, currency: "EUR", searchIndexLimit: Self.indexLimit)
            try await database.migrate(CatalogService.self, logger: TestDatabase.logger)
            var csv = "sku,name,description,price\n"
            for index in 0..<Self.count {
                let name =
                    if index == Self.zebra { "Zebra drain pump" } else if Self.yaks.contains(index) {
                        "Yak hose clamp"
                    } else { "Brake pad \(index)" }
                let axle =
                    index == Self.frontAndRear ? "front and rear" : index.isMultiple(of: 2) ? "front" : "rear"
                csv += "\(Self.sku(index)),\(name),\(name) for the \(axle) axle,9.50\n"
            }
            let result = try await CatalogImporter(store: store).run(.parts, bytes: Array(csv.utf8))
            #expect(result.created == Self.count)
            try await body(store)
        }
    }

    private static func sku(_ index: Int) -> String { String(format: "P%05d", index) }

    private func skus(_ store: CatalogStore, _ query: String, limit: Int = 50, after: String? = nil) async throws
        -> (skus: [String], next: String?)
    {
        let request = try PageRequest(limit: limit, cursor: after, keyCount: 1)
        let page = try await store.list(PartFilter(query: query), page: request)
        return (page.items.map(\.sku), page.nextCursor)
    }

    @Test(arguments: Engine.allCases)
    func commonAndRareWordsAreFoundWhereverTheyAre(engine: Engine) async throws {
        try await withCatalog(engine) { store in
            let brakes = (0..<Self.count).filter { !Self.yaks.contains($0) && $0 != Self.zebra }
            #expect(try await skus(store, "brake").skus == brakes.prefix(50).map(Self.sku), "a common word")
            #expect(
                try await skus(store, "brake front").skus
                    == brakes.filter { $0.isMultiple(of: 2) }.prefix(50).map(Self.sku),
                "two words common together")
            #expect(try await skus(store, "front rear").skus == ["P02900"], "two common words rare together")
            #expect(try await skus(store, "zebra pump").skus == ["P02950"], "a rare word")
            #expect(try await skus(store, "EBR").skus == ["P02950"], "a piece of a word, in any case")
            #expect(try await skus(store, "zebra brake").skus.isEmpty)
            #expect(try await skus(store, "p0299").skus == (2_990..<3_000).map(Self.sku), "SKUs match in part")
            #expect(try await skus(store, "2 yak").skus == ["P02250", "P02990"], "a short word is checked too")

            let first = try await skus(store, "yak clamp", limit: 2)
            #expect(first.skus == ["P00150", "P02250"])
            let second = try await skus(store, "yak clamp", limit: 2, after: first.next)
            #expect(second.skus == ["P02990"])
            #expect(second.next == nil)
        }
    }

    @Test(arguments: Engine.allCases)
    func aRenamedPartIsFoundByItsNewWordsOnly(engine: Engine) async throws {
        try await withCatalog(engine) { store in
            let csv = """
                sku,name,description,price
                P02100,Quokka valve,Quokka valve quokka,9.50
                P02101,Überwurfmutter\u{00A0}M10,ÜBERWURFMUTTER m10,9.50

                """
            #expect(try await CatalogImporter(store: store).run(.parts, bytes: Array(csv.utf8)).updated == 2)
            #expect(try await skus(store, "überwurf M10").skus == ["P02101"], "words beyond ASCII, split at any space")
            #expect(try await skus(store, "quokka valve").skus == ["P02100"])
            #expect(try await skus(store, "pad 2100").skus.isEmpty)
            let stored = try await store.database.read { db in
                try await db.raw("SELECT search_text FROM parts WHERE sku = 'P02100'").first()?
                    .decode(column: "search_text", as: String.self)
            }
            #expect(stored == "p02100 quokka valve", "each word once, lowercased")
        }
    }

    @Test(arguments: Engine.allCases)
    func theTrigramIndexExists(engine: Engine) async throws {
        try await withCatalog(engine) { store in
            let found = try await store.database.read { db in
                switch engine {
                case .sqlite: try await db.raw("SELECT name FROM sqlite_master WHERE name = 'parts_search'").first()
                case .postgres:
                    try await db.raw("SELECT indexname FROM pg_indexes WHERE indexname = 'parts_search_trigrams'")
                        .first()
                }
            }
            #expect(found != nil)
        }
    }

    @Test func searchWordsBecomeQueriesOfTheirTrigrams() {
        #expect(SearchWords.trigramQueries(["brake", "pad"]) == ["\"bra\" AND \"rak\" AND \"ake\"", "\"pad\""])
        #expect(SearchWords.trigramQueries(["ab", "drum"]) == ["\"dru\" AND \"rum\""], "short words are left to LIKE")
        #expect(SearchWords.trigramQueries(["ab", "c"]).isEmpty)
        #expect(SearchWords.trigramQueries(["aaaa"]) == ["\"aaa\""], "each trigram once")
        #expect(SearchWords.trigramQueries(["a\"b"]) == ["\"a\"\"b\""])
        #expect(SearchWords.trigramQueries(["über"]) == ["\"übe\" AND \"ber\""], "characters, not bytes")
    }
}
