import Foundation
import SQLKit
import ServiceKit
import Storage

/// A part fitted to a model, with where and how many.
public struct Fitment: Sendable, Equatable {
    public var sku: String
    public var modelId: String
    public var position: String?
    public var quantity: Int?
    public var note: String?

    public init(sku: String, modelId: String, position: String? = nil, quantity: Int? = nil, note: String? = nil) {
        self.sku = sku
        self.modelId = modelId
        self.position = position
        self.quantity = quantity
        self.note = note
    }
}

/// The catalog as a graph: models, the parts that fit them, and which part replaces which.
extension CatalogStore {
    /// Stores a new model (validated by ``VehicleModel/create``).
    public func createModel(_ model: VehicleModel) async throws -> VehicleModel {
        try await database.transaction { db in
            try await db.raw(
                """
                INSERT INTO models (id, kind, make, model, variant, engine, year_from, year_to, model_number, search_text,
                    created_at)
                VALUES (\(bind: model.id), \(bind: model.kind.rawValue), \(bind: model.make), \(bind: model.model),
                    \(bind: model.variant), \(bind: model.engine), \(bind: model.yearFrom), \(bind: model.yearTo),
                    \(bind: model.modelNumber), \(bind: model.searchText), \(bind: model.createdAt.microsecondsSince1970))
                """
            ).run()
            return model
        }
    }

    /// Model `id`, or `nil`.
    public func model(_ id: String) async throws -> VehicleModel? {
        try await database.read { db in
            try await db.raw("SELECT * FROM models WHERE id = \(bind: id)").first().map(Self.model)
        }
    }

    /// Fits part `sku` to model `modelId` (or changes how): 404 when either is unknown.
    public func fit(_ fitment: Fitment) async throws {
        try await database.transaction { db in
            guard try await fetch(fitment.sku, in: db) != nil else { throw CatalogProblems.notFound(fitment.sku) }
            guard try await db.raw("SELECT id FROM models WHERE id = \(bind: fitment.modelId)").first() != nil else {
                throw CatalogProblems.modelNotFound(fitment.modelId)
            }
            try await db.raw(
                """
                INSERT INTO fitments (model_id, sku, position, quantity, note)
                VALUES (\(bind: fitment.modelId), \(bind: fitment.sku), \(bind: fitment.position), \(bind: fitment.quantity),
                    \(bind: fitment.note))
                ON CONFLICT (model_id, sku) DO UPDATE SET position = excluded.position, quantity = excluded.quantity,
                    note = excluded.note
                """
            ).run()
        }
    }

    /// Removes the fitment; `false` when there was none.
    public func unfit(sku: String, modelId: String) async throws -> Bool {
        try await database.transaction { db in
            try await db.raw(
                "DELETE FROM fitments WHERE model_id = \(bind: modelId) AND sku = \(bind: sku) RETURNING sku"
            ).first() != nil
        }
    }

    /// The SKUs that fit model `modelId`: every part fitted to it, and every kit that is fitted itself or
    /// whose components all fit (recursively, for kits of kits).
    public func fittingSKUs(_ modelId: String) async throws -> Set<String> {
        try await database.read { db in
            let fitted = Set(
                try await db.raw("SELECT sku FROM fitments WHERE model_id = \(bind: modelId)").all()
                    .map { try $0.decode(column: "sku", as: String.self) })
            guard !fitted.isEmpty else { return [] }
            // Kits above a fitted part, however deep: the only kits that can fit.
            let kits = try await db.raw(
                """
                WITH RECURSIVE above(sku) AS (
                    SELECT c.bundle_sku FROM part_components c
                    WHERE c.component_sku IN (SELECT f.sku FROM fitments f WHERE f.model_id = \(bind: modelId))
                    UNION
                    SELECT c.bundle_sku FROM part_components c JOIN above a ON c.component_sku = a.sku)
                SELECT sku FROM above
                """
            ).all().map { try $0.decode(column: "sku", as: String.self) }
            let recipes = try await loadComponents(of: kits, in: db)
            var fits: [String: Bool] = [:]
            func check(_ sku: String, depth: Int) -> Bool {
                if let known = fits[sku] { return known }
                guard !fitted.contains(sku) else { return true }
                guard let components = recipes[sku], !components.isEmpty, depth < 16 else { return false }
                let result = components.allSatisfy { check($0.sku, depth: depth + 1) }
                fits[sku] = result
                return result
            }
            return fitted.union(kits.filter { check($0, depth: 0) })
        }
    }

    /// One page of the parts that fit model `modelId` (see ``fittingSKUs(_:)``), by SKU; every word of
    /// `query` must appear in SKU, name or description. 404 when the model is unknown.
    public func partsFitting(_ modelId: String, query: String?, page: PageRequest) async throws -> Page<Part> {
        guard try await model(modelId) != nil else { throw CatalogProblems.modelNotFound(modelId) }
        let skus = try await fittingSKUs(modelId)
        guard !skus.isEmpty else { return Page(items: [], nextCursor: nil) }
        var conditions: [SQLQueryString] = ["sku IN (\(binds: skus.sorted()))"]
        if let after = page.after.first { conditions.append("sku > \(bind: after.uppercased())") }
        for word in (query ?? "").lowercased().split(whereSeparator: \.isWhitespace).prefix(10) {
            conditions.append("search_text LIKE \(bind: "%" + Self.escapeLike(String(word)) + "%") ESCAPE '\\'")
        }
        let condition = conditions.joined(separator: " AND ")
        return try await database.read { db in
            let rows = try await db.raw("SELECT * FROM parts WHERE \(condition) ORDER BY sku LIMIT \(bind: page.limit + 1)")
                .all()
            let found = try rows.map { try $0.decode(column: "sku", as: String.self) }
            let components = try await loadComponents(of: found, in: db)
            let parts = try rows.map { row in
                try Self.part(from: row, components: components[try row.decode(column: "sku", as: String.self)] ?? [])
            }
            return Page(fetched: parts, limit: page.limit) { [$0.sku] }
        }
    }

    /// The models part `sku` is fitted to, by make, model and id.
    public func models(fitting sku: String) async throws -> [VehicleModel] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT m.* FROM models m JOIN fitments f ON f.model_id = m.id WHERE f.sku = \(bind: sku)
                ORDER BY m.make, m.model, m.id
                """
            ).all().map(Self.model)
        }
    }

    /// Records that `newSku` replaces `sku`: 404 when either is unknown, 409 on a cycle or a chain too long.
    public func supersede(_ sku: String, by newSku: String, now: Date = .storageNow) async throws {
        try await database.transaction { db in
            for part in [sku, newSku] where try await fetch(part, in: db) == nil { throw CatalogProblems.notFound(part) }
            var successors = try await chain(from: newSku, in: db)
            successors.merge(try await chain(to: sku, in: db)) { first, _ in first }
            successors[sku] = nil
            try SupersessionRules.check(sku, supersededBy: newSku, successors: successors)
            try await db.raw(
                """
                INSERT INTO supersessions (sku, superseded_by, at) VALUES (\(bind: sku), \(bind: newSku), \(bind: now.microsecondsSince1970))
                ON CONFLICT (sku) DO UPDATE SET superseded_by = excluded.superseded_by, at = excluded.at
                """
            ).run()
        }
    }

    /// What supersedes `sku` directly, and the part to sell instead (the newest active one of its chain);
    /// both `nil` when nothing does.
    public func replacement(of sku: String) async throws -> (supersededBy: String?, current: String?) {
        try await database.read { db in
            let successors = try await chain(from: sku, in: db)
            guard let next = successors[sku] else { return (nil, nil) }
            let chainSKUs = Array(Set(successors.keys).union(successors.values))
            let active = Set(
                try await db.raw("SELECT sku FROM parts WHERE sku IN (\(binds: chainSKUs)) AND status = 'active'").all()
                    .map { try $0.decode(column: "sku", as: String.self) })
            return (next, SupersessionRules.current(of: sku, successors: successors, active: active))
        }
    }

    /// `sku → next` edges following the chain forward from `sku` (at most ``SupersessionRules/maxChain``).
    private func chain(from sku: String, in db: any SQLDatabase) async throws -> [String: String] {
        var edges: [String: String] = [:]
        var current = sku
        while edges.count <= SupersessionRules.maxChain,
            let next = try await db.raw("SELECT superseded_by FROM supersessions WHERE sku = \(bind: current)").first()
                .map({ try $0.decode(column: "superseded_by", as: String.self) }),
            edges[current] == nil
        {
            edges[current] = next
            current = next
        }
        return edges
    }

    /// `previous → sku` edges following the chain backward to `sku`.
    private func chain(to sku: String, in db: any SQLDatabase) async throws -> [String: String] {
        var edges: [String: String] = [:]
        var current = sku
        while edges.count <= SupersessionRules.maxChain,
            let previous = try await db.raw("SELECT sku FROM supersessions WHERE superseded_by = \(bind: current) LIMIT 1")
                .first().map({ try $0.decode(column: "sku", as: String.self) }),
            edges[previous] == nil
        {
            edges[previous] = current
            current = previous
        }
        return edges
    }

    static func model(_ row: any SQLRow) throws -> VehicleModel {
        VehicleModel(
            id: try row.decode(column: "id", as: String.self), kind: try row.decode(enum: "kind"),
            make: try row.decode(column: "make", as: String.self), model: try row.decode(column: "model", as: String.self),
            variant: try row.decode(column: "variant", as: String?.self),
            engine: try row.decode(column: "engine", as: String?.self),
            yearFrom: try row.decode(column: "year_from", as: Int?.self), yearTo: try row.decode(column: "year_to", as: Int?.self),
            modelNumber: try row.decode(column: "model_number", as: String?.self),
            createdAt: Date(microsecondsSince1970: try row.decode(column: "created_at", as: Int64.self)))
    }
}
