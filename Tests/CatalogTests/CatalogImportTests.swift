import Catalog
import Foundation
import IntegrationEvents
import Messaging
import ServiceKit
import Storage
import Testing
import TestSupport

@Suite("Catalog imports on both engines: upserts, re-runs, bad rows, batched events")
struct CatalogImportTests {
    private func withStore(_ engine: Engine, _ body: (CatalogStore) async throws -> Void) async throws {
        try await TestDatabase.with(engine) { database in
            let store = CatalogStore(database: database, currency: "EUR")
            try await database.migrate(CatalogService.self, logger: TestDatabase.logger)
            try await body(store)
        }
    }

    private func run(_ store: CatalogStore, _ kind: ImportKind, _ csv: String) async throws -> ImportProgress {
        try await CatalogImporter(store: store).run(kind, bytes: Array(csv.utf8))
    }

    private func outboxTypes(_ store: CatalogStore) async throws -> [String] {
        try await store.database.read { db in
            try await db.raw("SELECT type FROM outbox ORDER BY seq").all().map {
                try $0.decode(column: "type", as: String.self)
            }
        }
    }

    private static let parts = """
        sku,name,description,price,weight_grams,category,components,status,superseded_by
        pad-1,"Front pads, ceramic",Set of 4,39.90,1850,Brakes › Pads,,,
        DISC-1,Front disc,,54.00,,Brakes › Discs,,,
        KIT-1,Brake kit,,139.00,,Brakes,DISC-1*2;PAD-1,,
        PUMP-2,Drain pump v2,,29.90,,,,active,
        PUMP-1,Drain pump v1,,24.90,,,,discontinued,PUMP-2

        """

    @Test(arguments: Engine.allCases)
    func partsAreUpsertedAndARerunChangesNothing(engine: Engine) async throws {
        try await withStore(engine) { store in
            let first = try await run(store, .parts, Self.parts)
            #expect(first.rows == 5)
            #expect(first.created == 5)
            #expect(first.failed == 0)
            #expect(first.fileError == nil)
            let kit = try #require(try await store.details("KIT-1"))
            #expect(
                kit.part.components == [
                    ComponentLine(sku: "DISC-1", quantity: 2), ComponentLine(sku: "PAD-1", quantity: 1),
                ])
            #expect(kit.category == ["Brakes"])
            let pad = try #require(try await store.details("PAD-1"))
            #expect(pad.part.name == "Front pads, ceramic")
            #expect(pad.part.weightGrams == 1850)
            #expect(pad.category == ["Brakes", "Pads"])
            let pump = try #require(try await store.details("PUMP-1"))
            #expect(pump.part.status == .discontinued)
            #expect(pump.current == "PUMP-2")
            let events = try await outboxTypes(store)
            #expect(events.filter { $0 == "catalog.parts.upserted" }.count == 1)
            #expect(events.contains("catalog.part.superseded"))

            // The same file again: nothing changes, nothing is published.
            let again = try await run(store, .parts, Self.parts)
            #expect(again.unchanged == 5)
            #expect(again.created + again.updated == 0)
            #expect(try await outboxTypes(store) == events)
            #expect(try await store.part("PAD-1")?.version == 1)

            // A changed price is an update with a new version and one batched event.
            let changed = try await run(store, .parts, "sku,name,price\nPAD-1,\"Front pads, ceramic\",41.50\n")
            #expect(changed.updated == 1)
            let updated = try #require(try await store.part("PAD-1"))
            #expect(updated.price.decimal == "41.50")
            #expect(updated.version == 2)
            #expect(updated.categoryId == nil)  // the file has no category column: the part has none
            #expect(try await outboxTypes(store).filter { $0 == "catalog.parts.upserted" }.count == 2)
        }
    }

    @Test(arguments: Engine.allCases)
    func supersessionChainsAreCheckedInFileOrderWithinABatchAndAgainstWhatIsStored(engine: Engine) async throws {
        try await withStore(engine) { store in
            let first = try await run(
                store, .parts,
                """
                sku,name,price,status,superseded_by
                A,Part A,1.00,discontinued,B
                B,Part B,1.00,discontinued,C
                C,Part C,1.00,,
                D,Part D,1.00,,A
                X,Part X,1.00,,Y
                Y,Part Y,1.00,,X
                E,Part E,1.00,,NOPE
                """)
            #expect(first.created == 7)
            #expect(first.errors.map(\.line) == [7, 8])
            #expect(first.errors[0].reasons.allSatisfy { $0.hasPrefix("superseded_by: ") })
            #expect(first.errors[0].message.contains("cycle"))
            #expect(first.errors[1].message.contains("No part with SKU NOPE"))
            #expect(try await store.replacement(of: "A") == ("B", "C"))
            #expect(try await store.replacement(of: "D") == ("A", "C"))
            #expect(try await store.replacement(of: "Y").supersededBy == nil)
            let superseded = try await outboxTypes(store).filter { $0 == "catalog.part.superseded" }
            #expect(superseded.count == 4)  // A, B, D, X

            // Against the stored chains: C → D closes D → A → B → C; a rerun of the first file adds nothing.
            let cycle = try await run(store, .parts, "sku,name,price,superseded_by\nC,Part C,1.00,D\n")
            #expect(cycle.errors.map(\.line) == [2])
            #expect(cycle.errors.first?.message.contains("cycle") == true)
            let rerun = try await run(
                store, .parts, "sku,name,price,status,superseded_by\nA,Part A,1.00,discontinued,B\nD,Part D,1.00,,A\n")
            #expect(rerun.errors.isEmpty)
            #expect(try await outboxTypes(store).filter { $0 == "catalog.part.superseded" }.count == 4)
            // Moving an edge is allowed: D now goes straight to C.
            let moved = try await run(store, .parts, "sku,name,price,superseded_by\nD,Part D,1.00,C\n")
            #expect(moved.errors.isEmpty)
            #expect(try await store.replacement(of: "D") == ("C", "C"))
        }
    }

    @Test(arguments: Engine.allCases)
    func kitsOfKitsInOneBatchAreCheckedTogetherAndARecipeCanBeRewritten(engine: Engine) async throws {
        try await withStore(engine) { store in
            let first = try await run(
                store, .parts,
                """
                sku,name,price,components
                BOLT,Bolt,0.50,
                NUT,Nut,0.20,
                PAIR,Bolt and nut,0.90,BOLT;NUT
                BOX,Box of pairs,8.00,PAIR*10
                LOOP,Kit of itself,1.00,LOOP
                """)
            #expect(first.created == 4)
            #expect(first.errors.map(\.line) == [6])
            #expect(try await store.part("BOX")?.components == [ComponentLine(sku: "PAIR", quantity: 10)])
            // PAIR now takes two nuts; NUT containing BOX would make a cycle through PAIR and is refused.
            let second = try await run(
                store, .parts,
                """
                sku,name,price,components
                PAIR,Bolt and nut,0.90,BOLT;NUT*2
                NUT,Nut,0.20,BOX
                """)
            #expect(second.updated == 1)
            #expect(second.errors.map(\.line) == [3])
            #expect(
                try await store.part("PAIR")?.components == [
                    ComponentLine(sku: "BOLT", quantity: 1), ComponentLine(sku: "NUT", quantity: 2),
                ])
            #expect(try await store.part("NUT")?.components == [])
            #expect(
                try await run(store, .parts, "sku,name,price,components\nPAIR,Bolt and nut,0.90,BOLT;NUT*2\n").unchanged
                    == 1)
        }
    }

    @Test(arguments: Engine.allCases)
    func badRowsAreReportedWithTheirLinesAndTheGoodOnesImported(engine: Engine) async throws {
        try await withStore(engine) { store in
            let csv = """
                sku,name,price,components
                GOOD-1,Good,1.00,
                ,No SKU,2.00,
                BAD-PRICE,Bad price,12.345,
                KIT-BAD,Kit of nothing,5.00,NOPE*2
                "QUOTED","Name with ""quotes""
                and a line break",3.00,
                GOOD-1,Good again,1.00,
                """
            let result = try await run(store, .parts, csv)
            #expect(result.rows == 6)
            #expect(result.created == 2)
            #expect(result.updated == 1)  // GOOD-1's second row, in its own batch
            #expect(result.failed == 3)
            #expect(result.errors.map(\.line) == [3, 4, 5])
            #expect(result.errors[0].message.hasPrefix("sku:"))
            #expect(result.errors[1].message.hasPrefix("price.amount:"))
            #expect(result.errors[2].message.contains("NOPE"))
            #expect(try await store.part("QUOTED")?.name == "Name with \"quotes\"\nand a line break")
            #expect(try await store.part("GOOD-1")?.name == "Good again")

            let header = try await run(store, .parts, "sku,title,price\nX,Y,1\n")
            #expect(header.fileError?.reason.contains("unknown column") == true)
            #expect(header.rows == 0)
            let broken = try await run(store, .parts, "sku,name,price\nOK-1,Fine,1.00\nOK-2,\"never closed,2.00\n")
            #expect(broken.created == 1)
            #expect(broken.fileError == ImportFileError(line: 3, reason: "a quoted field is not closed"))
            #expect(try await run(store, .parts, "").fileError != nil)
            let nul = try await run(
                store, .parts, "sku,name,price\nNUL-1,Bad\u{0}name,1.00\nESC-1,\"Tab\tand \\\\ backslash\",1.00\n")
            #expect(nul.errors.map(\.message) == ["contains a NUL character"])
            #expect(try await store.part("ESC-1")?.name == "Tab\tand \\\\ backslash")
        }
    }

    @Test(arguments: Engine.allCases)
    func modelsAndFitmentsAreUpsertedAndRefuseUnknownPartsAndModels(engine: Engine) async throws {
        try await withStore(engine) { store in
            _ = try await run(store, .parts, Self.parts)
            let models = """
                id,kind,make,model,variant,engine,year_from,year_to,model_number
                VW-GOLF7,car,Volkswagen,Golf,VII,1.4 TSI,2013,2020,
                BOSCH-WAW,appliance,Bosch,Serie 6,,,,,WAW28440
                BAD,boat,X,Y,,,,,
                LATE,car,X,Y,,,2020,2010,
                """
            let loaded = try await run(store, .models, models)
            #expect(loaded.created == 2)
            #expect(loaded.errors.map(\.line) == [4, 5])
            #expect(try await run(store, .models, models).unchanged == 2)
            let renamed = try await run(store, .models, "id,kind,make,model\nBOSCH-WAW,appliance,Bosch,Serie 8\n")
            #expect(renamed.updated == 1)
            #expect(try await store.model("BOSCH-WAW")?.model == "Serie 8")

            let fitments = """
                sku,model_id,position,quantity,note
                PAD-1,VW-GOLF7,front axle,1,
                DISC-1,VW-GOLF7,front axle,2,
                PUMP-2,BOSCH-WAW,,,"Check the clamp, too"
                NOPE,VW-GOLF7,,,
                PAD-1,NOPE,,,
                PAD-1,VW-GOLF7,,0,
                """
            let fitted = try await run(store, .fitments, fitments)
            #expect(fitted.created == 3)
            #expect(fitted.errors.map(\.line) == [5, 6, 7])
            #expect(fitted.errors[0].message == "sku: no part NOPE")
            #expect(fitted.errors[1].message == "model_id: no model NOPE")
            #expect(try await store.fittingSKUs("VW-GOLF7") == ["PAD-1", "DISC-1", "KIT-1"])
            let rerun = try await run(store, .fitments, fitments)
            #expect(rerun.unchanged == 3)
            #expect(rerun.created + rerun.updated == 0)
            let moved = try await run(store, .fitments, "sku,model_id,position\nPAD-1,VW-GOLF7,rear axle\n")
            #expect(moved.updated == 1)
            // One batch with a new, a changed and an unchanged row counts each once.
            let mixed = try await run(
                store, .fitments,
                "sku,model_id,position,quantity\nPUMP-2,VW-GOLF7,,\nDISC-1,VW-GOLF7,front axle,4\nPAD-1,VW-GOLF7,rear axle,\n"
            )
            #expect(mixed.created == 1 && mixed.updated == 1 && mixed.unchanged == 1)
            #expect(try await store.fittingSKUs("VW-GOLF7") == ["PAD-1", "DISC-1", "PUMP-2", "KIT-1"])
        }
    }

    @Test(arguments: Engine.allCases)
    func partBatchesInFlightTogetherSeeTheKitsAndSupersessionsOfTheBatchesBefore(engine: Engine) async throws {
        try await withStore(engine) { store in
            // Batches of two rows (up to three in flight on PostgreSQL): each batch's kit, supersession or category
            // builds on the batch just before it, and the cycle B → A → B is refused however they are timed.
            let csv = """
                sku,name,price,category,components,status,superseded_by
                A,Part A,1.00,Brakes › Pads,,,
                B,Part B,1.00,Brakes › Discs,,,
                K1,Kit 1,2.00,,A;B,,
                C,Part C,1.00,,,discontinued,A
                K2,Kit 2,3.00,,K1*2,,
                A,Part A,1.00,Brakes › Pads,,,B
                B,Part B,1.00,Brakes › Discs,,,A
                D,Part D,1.00,Steering,,,C
                """
            let result = try await CatalogImporter(store: store, rowsPerBatch: 2).run(.parts, bytes: Array(csv.utf8))
            #expect(result.errors.map(\.line) == [8])
            #expect(result.errors.first?.message.contains("cycle") == true)
            #expect(result.created == 6)
            #expect(try await store.part("K2")?.components == [ComponentLine(sku: "K1", quantity: 2)])
            #expect(try await store.replacement(of: "D") == ("C", "B"))
            #expect(try await store.categories().map(\.path).count == 4)  // Brakes, its two, Steering
        }
    }

    @Test(arguments: Engine.allCases)
    func fitmentBatchesInFlightTogetherKeepFileOrderForAKeyInTwoBatches(engine: Engine) async throws {
        try await withStore(engine) { store in
            _ = try await run(store, .parts, Self.parts)
            _ = try await run(store, .models, "id,kind,make,model\nGOLF,car,VW,Golf\nWAW,appliance,Bosch,WAW\n")
            // Batches of two rows (up to three in flight on PostgreSQL): PAD-1 on GOLF is in the second and the third
            // batch, which may not be written at once, and the third batch's row must win; NOPE is refused.
            let csv = """
                sku,model_id,position
                DISC-1,GOLF,front
                PUMP-1,WAW,
                PAD-1,GOLF,front
                NOPE,WAW,
                PAD-1,GOLF,rear
                PUMP-2,WAW,
                KIT-1,GOLF,
                """
            let result = try await CatalogImporter(store: store, rowsPerBatch: 2).run(.fitments, bytes: Array(csv.utf8))
            #expect(result.errors.map(\.line) == [5])
            #expect(result.created == 5 && result.updated == 1 && result.unchanged == 0)
            let position = try await store.database.read { db in
                try await db.raw("SELECT position FROM fitments WHERE model_id = 'GOLF' AND sku = 'PAD-1'").first()?
                    .decode(column: "position", as: String.self)
            }
            #expect(position == "rear")
            #expect(try await store.fittingSKUs("WAW") == ["PUMP-1", "PUMP-2"])
        }
    }

    @Test(arguments: Engine.allCases)
    func aLargeFileIsImportedInBatchesWithOneEventPerFiveHundredParts(engine: Engine) async throws {
        try await withStore(engine) { store in
            var csv = "sku,name,price\n"
            for index in 0..<2_500 { csv += "P\(index),Part \(index),\(index % 90 + 1).50\n" }
            let result = try await run(store, .parts, csv)
            #expect(result.created == 2_500)
            #expect(result.bytesRead == result.bytesTotal)
            #expect(try await outboxTypes(store).filter { $0 == "catalog.parts.upserted" }.count == 5)
            #expect(
                try await store.list(PartFilter(query: "part 2499"), page: PageRequest()).items.map(\.sku) == ["P2499"])
        }
    }

    @Test func theBatchedEventsHandWrittenJSONDecodesAsTheEncodersDoes() throws {
        let at = Date(timeIntervalSince1970: 1_790_000_000)
        let event = CatalogPartsUpserted(parts: [
            CatalogPartUpserted(
                sku: "KIT-1", name: "Kit \"quoted\" \\ tab\t", price: MoneyAmount(amount: "12.50", currency: "EUR"),
                status: "active", kind: "bundle", components: [ComponentQuantity(sku: "A", quantity: 2)],
                weightGrams: nil,
                version: 3, updatedAt: at),
            CatalogPartUpserted(
                sku: "A", name: "Ä part ✓", price: MoneyAmount(amount: "1", currency: "EUR"), status: "discontinued",
                kind: "part", components: [], weightGrams: 120, version: 1, updatedAt: at.addingTimeInterval(1)),
        ])
        let decoded = try EventCoding.decoder.decode(CatalogPartsUpserted.self, from: event.jsonPayload())
        #expect(decoded == event)
        let viaEncoder = try EventCoding.decoder.decode(
            CatalogPartsUpserted.self, from: try EventCoding.encoder.encode(event))
        #expect(decoded == viaEncoder)
    }
}
