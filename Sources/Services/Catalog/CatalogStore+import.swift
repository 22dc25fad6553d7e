import Foundation
import Synchronization
import IntegrationEvents
import Messaging
import SQLKit
import ServiceKit
import Storage

/// What one batch of an import did.
public struct ImportBatchOutcome: Sendable, Equatable {
    public var created = 0
    public var updated = 0
    public var unchanged = 0
    public var errors: [ImportRowError] = []

    public init() {}
}

/// Category ids an import has already made or found, by path; shared by its batches (categories are
/// never deleted, and an id enters only once its batch committed).
public final class ImportCategoryCache: Sendable {
    private let ids = Mutex<[[String]: String]>([:])

    public init() {}

    func id(_ path: [String]) -> String? { ids.withLock { $0[path] } }
    func remember(_ found: [[String]: String]) { ids.withLock { $0.merge(found) { $1 } } }
}

/// Model ids a fitments import has found, shared by its batches (models are never deleted): after the
/// first batches, a batch looks up only its parts.
public final class ImportModelCache: Sendable {
    private let ids = Mutex<Set<String>>([])

    public init() {}

    func unknown(_ candidates: Set<String>) -> Set<String> { ids.withLock { candidates.subtracting($0) } }
    func remember(_ found: Set<String>) { ids.withLock { $0.formUnion(found) } }
}

/// Imports: batches of rows upserted in one transaction each, with multi-row statements. Re-importing a
/// row that matches what is stored changes nothing (no version, no event); parts that did change are
/// published as `catalog.parts.upserted`, up to ``CatalogPartsUpserted/maxParts`` per event.
extension CatalogStore {
    /// Upserts parts (each SKU once per batch). Components must exist already or earlier in the batch;
    /// a supersession must name a part that exists.
    public func importParts(
        _ rows: [(line: Int, row: PartRow)], now: Date = .storageNow, categoryCache: ImportCategoryCache = .init()
    ) async throws -> ImportBatchOutcome {
        var outcome = ImportBatchOutcome()
        guard !rows.isEmpty else { return outcome }
        var categories: [[String]: String] = [:]
        try await database.transaction { db in
            if database.engine == .postgres {
                // The trigram index takes new entries into its pending list and merges them into the index
                // when the list is full: a larger list merges in fewer, larger, sorted runs.
                try await db.raw("SET LOCAL gin_pending_list_limit = '64MB'").run()
            }
            let existing = try await fetchAll(rows.map(\.row.part.sku), in: db)
            // In path order: two batches written at once then take new categories' keys in the same
            // order, and cannot deadlock on them.
            for path in Set(rows.compactMap(\.row.category)).sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                if let known = categoryCache.id(path) {
                    categories[path] = known
                } else {
                    categories[path] = try await ensure(path, in: db).id
                }
            }
            var plain: [(part: Part, searchText: String)] = []
            var kits: [(line: Int, part: Part, current: Part?, searchText: String)] = []
            var changed: [Part] = []
            var discontinued: [Part] = []
            for (line, row) in rows {
                var part = row.part
                part.categoryId = row.category.flatMap { categories[$0] }
                let current = existing[part.sku]
                if let current {
                    part.attributes = current.attributes
                    guard !Self.sameImportedFields(part, current) else {
                        outcome.unchanged += 1
                        continue
                    }
                    part.createdAt = current.createdAt
                    part.version = current.version + 1
                    part.updatedAt = now
                    if current.status != .discontinued, part.status == .discontinued { discontinued.append(part) }
                }
                if part.components.isEmpty, current?.components.isEmpty ?? true {
                    plain.append((part, row.searchText))
                    if current == nil { outcome.created += 1 } else { outcome.updated += 1 }
                    changed.append(part)
                } else {
                    kits.append((line, part, current, row.searchText))
                }
            }
            try await upsertParts(plain, in: db)
            // Kits are checked one by one against the graph as it now stands (this batch's parts and the
            // kits accepted before them included), read once for the whole batch, and written together.
            var graph = try await loadGraph(from: kits.flatMap { $0.part.components.map(\.sku) }, in: db)
            var accepted: [(part: Part, current: Part?, searchText: String)] = []
            for (line, part, current, searchText) in kits {
                do {
                    try BundleRules.check(sku: part.sku, components: part.components, graph: graph)
                } catch let problem as Problem {
                    outcome.errors.append(ImportRowError(line: line, reasons: problem.reasons))
                    discontinued.removeAll { $0.sku == part.sku }
                    continue
                }
                graph[part.sku] = PartNode(
                    sku: part.sku, name: part.name, status: part.status, components: part.components)
                accepted.append((part, current, searchText))
                if current == nil { outcome.created += 1 } else { outcome.updated += 1 }
                changed.append(part)
            }
            try await writeKits(accepted, in: db)
            for chunk in stride(from: 0, to: changed.count, by: CatalogPartsUpserted.maxParts) {
                let parts = changed[chunk..<min(chunk + CatalogPartsUpserted.maxParts, changed.count)]
                let event = CatalogPartsUpserted(parts: parts.map(CatalogEventMapping.upserted))
                try await Outbox.append(
                    EventEnvelope(
                        source: CatalogPartsUpserted.source, type: CatalogPartsUpserted.type, subject: event.subject,
                        data: event.jsonPayload()), in: db)
            }
            for part in discontinued {
                try await Outbox.append(
                    CatalogPartDiscontinued(sku: part.sku, version: part.version, discontinuedAt: now), in: db)
            }
            outcome.errors += try await importSupersessions(
                rows.compactMap { line, row in row.supersededBy.map { (line, row.part.sku, $0) } }, now: now, in: db)
        }
        categoryCache.remember(categories)
        return outcome
    }

    /// Upserts models by id.
    public func importModels(_ rows: [(line: Int, model: VehicleModel)]) async throws -> ImportBatchOutcome {
        var outcome = ImportBatchOutcome()
        guard !rows.isEmpty else { return outcome }
        try await database.transaction { db in
            let ids = rows.map(\.model.id)
            var existing: [String: VehicleModel] = [:]
            for row in try await db.raw("SELECT * FROM models WHERE id IN (\(binds: ids))").all() {
                let model = try Self.model(row)
                existing[model.id] = model
            }
            var write: [VehicleModel] = []
            for (_, model) in rows {
                if let current = existing[model.id] {
                    var same = model
                    same.createdAt = current.createdAt
                    if same == current {
                        outcome.unchanged += 1
                        continue
                    }
                    outcome.updated += 1
                    write.append(same)
                } else {
                    outcome.created += 1
                    write.append(model)
                }
            }
            guard !write.isEmpty else { return }
            let values = write.map { model -> SQLQueryString in
                """
                (\(bind: model.id), \(bind: model.kind.rawValue), \(bind: model.make), \(bind: model.model),
                \(bind: model.variant), \(bind: model.engine), \(bind: model.yearFrom), \(bind: model.yearTo),
                \(bind: model.modelNumber), \(bind: model.searchText), \(bind: model.createdAt.microsecondsSince1970))
                """
            }
            try await db.raw(
                """
                INSERT INTO models (id, kind, make, model, variant, engine, year_from, year_to, model_number,
                    search_text, created_at)
                VALUES \(values.joined(separator: ", "))
                ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, make = excluded.make, model = excluded.model,
                    variant = excluded.variant, engine = excluded.engine, year_from = excluded.year_from,
                    year_to = excluded.year_to, model_number = excluded.model_number, search_text = excluded.search_text
                """
            ).run()
        }
        return outcome
    }

    /// Upserts fitments by (model, SKU) in one transaction; a row naming an unknown part or model is
    /// refused. The batch's parts and its models not seen before are looked up, one statement each: the
    /// fitments have no foreign keys on PostgreSQL (migration 6).
    public func importFitments(
        _ rows: [(line: Int, fitment: Fitment)], modelCache: ImportModelCache = .init()
    ) async throws -> ImportBatchOutcome {
        var outcome = ImportBatchOutcome()
        guard !rows.isEmpty else { return outcome }
        try await database.transaction { db in
            let batchSKUs = Set(rows.map(\.fitment.sku))
            var skus = JSONRows(columns: [("k", "TEXT")])
            for sku in batchSKUs { skus.append([.text(sku)]) }
            let batchModels = Set(rows.map(\.fitment.modelId))
            var modelIds = JSONRows(columns: [("k", "TEXT")])
            for id in modelCache.unknown(batchModels) { modelIds.append([.text(id)]) }
            let knownSKUs = Set(
                try await db.raw(
                    "SELECT p.sku FROM \(skus.source(database.engine, alias: "k")) JOIN parts p ON p.sku = k.k"
                ).all().map { try $0.decode(column: "sku", as: String.self) })
            let foundModels =
                modelIds.count == 0
                ? []
                : Set(
                    try await db.raw(
                        "SELECT m.id FROM \(modelIds.source(database.engine, alias: "k")) JOIN models m ON m.id = k.k"
                    ).all().map { try $0.decode(column: "id", as: String.self) })
            modelCache.remember(foundModels)
            let knownModels = batchModels.subtracting(modelCache.unknown(batchModels))
            var values = JSONRows(columns: [
                ("m", "TEXT"), ("s", "TEXT"), ("p", "TEXT"), ("q", "BIGINT"), ("n", "TEXT"),
            ])
            for (line, fitment) in rows {
                var reasons: [String] = []
                if !knownSKUs.contains(fitment.sku) { reasons.append("sku: no part \(fitment.sku)") }
                if !knownModels.contains(fitment.modelId) { reasons.append("model_id: no model \(fitment.modelId)") }
                guard reasons.isEmpty else {
                    outcome.errors.append(ImportRowError(line: line, reasons: reasons))
                    continue
                }
                values.append([
                    .text(fitment.modelId), .text(fitment.sku), .text(fitment.position),
                    .integer(fitment.quantity.map(Int64.init)), .text(fitment.note),
                ])
            }
            guard values.count > 0 else { return }
            // New rows first, without reading what is stored: a fresh import probes each key once (the
            // insert's), not twice. Only when some keys were there already are they updated where they
            // differ; the rows just inserted equal their source and are not counted again.
            let created = try await database.rowsChanged(
                by: """
                    INSERT INTO fitments (model_id, sku, position, quantity, note)
                    SELECT v.m, v.s, v.p, v.q, v.n FROM \(values.source(database.engine, alias: "v")) WHERE true
                    ON CONFLICT (model_id, sku) DO NOTHING
                    """, in: db)
            let updated =
                created == values.count
                ? 0
                : try await database.rowsChanged(
                    by: """
                        UPDATE fitments SET position = v.p, quantity = v.q, note = v.n
                        FROM \(values.source(database.engine, alias: "v"))
                        WHERE fitments.model_id = v.m AND fitments.sku = v.s
                            AND (fitments.position IS DISTINCT FROM v.p OR fitments.quantity IS DISTINCT FROM v.q
                                OR fitments.note IS DISTINCT FROM v.n)
                        """, in: db)
            outcome.created += created
            outcome.updated += updated
            outcome.unchanged += values.count - created - updated
        }
        return outcome
    }

    /// Inserts or updates plain parts in one statement (their component rows are unchanged: none), each
    /// with its ``searchText(_:)``.
    private func upsertParts(_ parts: [(part: Part, searchText: String)], in db: any SQLDatabase) async throws {
        guard !parts.isEmpty else { return }
        var values = JSONRows(columns: [
            ("sku", "TEXT"), ("name", "TEXT"), ("description", "TEXT"), ("price_minor", "BIGINT"), ("currency", "TEXT"),
            ("status", "TEXT"), ("weight_grams", "BIGINT"), ("attributes", "TEXT"), ("search_text", "TEXT"),
            ("created_at", "BIGINT"), ("updated_at", "BIGINT"), ("version", "BIGINT"), ("category_id", "TEXT"),
        ])
        for (part, searchText) in parts {
            values.append([
                .text(part.sku), .text(part.name), .text(part.description), .integer(part.price.minorUnits),
                .text(part.price.currency), .text(part.status.rawValue), .integer(part.weightGrams.map(Int64.init)),
                .text(try Self.json(part.attributes)), .text(searchText),
                .integer(part.createdAt.microsecondsSince1970), .integer(part.updatedAt.microsecondsSince1970),
                .integer(Int64(part.version)), .text(part.categoryId),
            ])
        }
        let columns = values.columns.map(\.name).joined(separator: ", ")
        try await db.raw(
            """
            INSERT INTO parts (\(unsafeRaw: columns))
            SELECT \(unsafeRaw: values.columns.map { "v." + $0.name }.joined(separator: ", "))
            FROM \(values.source(database.engine, alias: "v")) WHERE true
            ON CONFLICT (sku) DO UPDATE SET name = excluded.name, description = excluded.description,
                price_minor = excluded.price_minor, currency = excluded.currency, status = excluded.status,
                weight_grams = excluded.weight_grams, search_text = excluded.search_text,
                updated_at = excluded.updated_at, version = excluded.version, category_id = excluded.category_id
            """
        ).run()
    }

    /// Writes kits accepted by ``BundleRules``: their part rows in one statement, and the recipes that
    /// changed (old rows deleted, new rows inserted, one statement each).
    private func writeKits(_ kits: [(part: Part, current: Part?, searchText: String)], in db: any SQLDatabase)
        async throws
    {
        guard !kits.isEmpty else { return }
        try await upsertParts(kits.map { ($0.part, $0.searchText) }, in: db)
        let rewritten = kits.filter { $0.part.components != $0.current?.components }
        guard !rewritten.isEmpty else { return }
        var replaced = JSONRows(columns: [("k", "TEXT")])
        for kit in rewritten where kit.current != nil { replaced.append([.text(kit.part.sku)]) }
        if replaced.count > 0 {
            try await db.raw(
                """
                DELETE FROM part_components
                WHERE bundle_sku IN (SELECT x.k FROM \(replaced.source(database.engine, alias: "x")))
                """
            ).run()
        }
        var lines = JSONRows(columns: [("b", "TEXT"), ("c", "TEXT"), ("q", "BIGINT"), ("p", "BIGINT")])
        for part in rewritten.map(\.part) {
            for (position, line) in part.components.enumerated() {
                lines.append([
                    .text(part.sku), .text(line.sku), .integer(Int64(line.quantity)), .integer(Int64(position)),
                ])
            }
        }
        guard lines.count > 0 else { return }
        try await db.raw(
            """
            INSERT INTO part_components (bundle_sku, component_sku, quantity, position)
            SELECT v.b, v.c, v.q, v.p FROM \(lines.source(database.engine, alias: "v"))
            """
        ).run()
    }

    /// Parts by SKU with their components.
    private func fetchAll(_ skus: [String], in db: any SQLDatabase) async throws -> [String: Part] {
        var keys = JSONRows(columns: [("k", "TEXT")])
        for sku in skus { keys.append([.text(sku)]) }
        let rows = try await db.raw(
            "SELECT p.* FROM \(keys.source(database.engine, alias: "x")) JOIN parts p ON p.sku = x.k"
        ).all()
        let found = try rows.map { try $0.decode(column: "sku", as: String.self) }
        let components = try await loadComponents(of: found, in: db)
        var parts: [String: Part] = [:]
        for row in rows {
            let part = try Self.part(
                from: row, components: components[try row.decode(column: "sku", as: String.self)] ?? [])
            parts[part.sku] = part
        }
        return parts
    }

    /// Whether an imported part says nothing new about `current` (attributes are not imported).
    static func sameImportedFields(_ part: Part, _ current: Part) -> Bool {
        part.name == current.name && part.description == current.description && part.price == current.price
            && part.weightGrams == current.weightGrams && part.components == current.components
            && part.status == current.status && part.categoryId == current.categoryId
    }
}
