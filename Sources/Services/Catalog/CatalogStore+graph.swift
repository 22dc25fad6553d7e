import Foundation
import SQLKit
import ServiceKit
import Storage

/// The catalog as a graph: models, the parts that fit them, and which part replaces which.
extension CatalogStore {
    /// Stores a new model (validated by ``VehicleModel/create``); 409 when its id is taken.
    public func createModel(_ model: VehicleModel) async throws -> VehicleModel {
        do {
            return try await database.transaction { db in
                if try await db.raw("SELECT id FROM models WHERE id = \(bind: model.id)").first() != nil {
                    throw CatalogProblems.modelTaken(model.id)
                }
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
        } catch  where Database.isUniqueViolation(error) {
            throw CatalogProblems.modelTaken(model.id)
        }
    }

    /// One page of models by id: every word of `query` must appear in make, model, variant, engine or
    /// model number; `make` matches without case.
    public func models(query: String?, kind: ModelKind?, make: String?, page: PageRequest) async throws -> Page<
        VehicleModel
    > {
        var conditions: [SQLQueryString] = ["1 = 1"]
        if let after = page.after.first { conditions.append("id > \(bind: after)") }
        if let kind { conditions.append("kind = \(bind: kind.rawValue)") }
        if let make = make?.trimmingCharacters(in: .whitespaces), !make.isEmpty {
            conditions.append("lower(make) = \(bind: make.lowercased())")
        }
        for word in (query ?? "").lowercased().split(whereSeparator: \.isWhitespace).prefix(10) {
            conditions.append("search_text LIKE \(bind: "%" + Self.escapeLike(String(word)) + "%") ESCAPE '\\'")
        }
        let condition = conditions.joined(separator: " AND ")
        return try await database.read { db in
            let models = try await db.raw(
                "SELECT * FROM models WHERE \(condition) ORDER BY id LIMIT \(bind: page.limit + 1)"
            )
            .all().map(Self.model)
            return Page(fetched: models, limit: page.limit) { [$0.id] }
        }
    }

    /// Model `id`, or `nil`.
    public func model(_ id: String) async throws -> VehicleModel? {
        try await database.read { db in
            try await db.raw("SELECT * FROM models WHERE id = \(bind: id)").first().map(Self.model)
        }
    }

    /// Fits part `sku` to model `modelId` (or changes how): 404 when either is unknown.
    @discardableResult
    public func fit(_ fitment: Fitment) async throws -> Fitment {
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
            return fitment
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
            let fitted = try await db.raw("SELECT sku FROM fitments WHERE model_id = \(bind: modelId)").all()
                .map { try $0.decode(column: "sku", as: String.self) }
            return Set(fitted).union(try await fittingKits(modelId, in: db))
        }
    }

    /// The kits that fit model `modelId` through their components, from one statement: the recipes of the
    /// kits above a fitted part, however deep (the only kits that can fit), each component marked when it
    /// is fitted itself. A kit fitted itself is left to the fitments.
    func fittingKits(_ modelId: String, in db: any SQLDatabase) async throws -> Set<String> {
        let fittedSKUs: SQLQueryString = "SELECT f.sku FROM fitments f WHERE f.model_id = \(bind: modelId)"
        // PostgreSQL plans `IN (subquery)` as a hash join over every recipe (9 ms at a million parts);
        // `= ANY (ARRAY(…))` probes the components' index with the model's few hundred SKUs (2 ms).
        let fittedComponent: SQLQueryString =
            database.engine == .postgres
            ? "c.component_sku = ANY (ARRAY(\(fittedSKUs)))" : "c.component_sku IN (\(fittedSKUs))"
        let rows = try await db.raw(
            """
            WITH RECURSIVE above(sku) AS (
                SELECT c.bundle_sku FROM part_components c WHERE \(fittedComponent)
                UNION
                SELECT c.bundle_sku FROM part_components c JOIN above a ON c.component_sku = a.sku)
            SELECT c.bundle_sku, c.component_sku,
                CASE WHEN EXISTS (SELECT 1 FROM fitments f WHERE f.model_id = \(bind: modelId) AND f.sku = c.component_sku)
                    THEN 1 ELSE 0 END AS fitted
            FROM part_components c WHERE c.bundle_sku IN (SELECT sku FROM above)
            """
        ).all()
        var recipes: [String: [String]] = [:]
        var fitted: Set<String> = []
        for row in rows {
            let component = try row.decode(column: "component_sku", as: String.self)
            recipes[try row.decode(column: "bundle_sku", as: String.self), default: []].append(component)
            if try row.decode(column: "fitted", as: Int.self) == 1 { fitted.insert(component) }
        }
        return FitmentRules.kitsThatFit(fitted: fitted, recipes: recipes)
    }

    /// The common table expressions (for a `WITH RECURSIVE`) that end in `kits(sku)`: the kits that fit
    /// model `modelId` through their components, the set ``FitmentRules/kitsThatFit(fitted:recipes:)``
    /// decides, worked out inside a fit page's own statement instead of a round trip before it:
    /// - `above`: every kit above a fitted part, however deep (the only kits that can fit);
    /// - `unfit`: those with a component that is not fitted and fits in no other way (not above a fitted
    ///   part, or itself `unfit`), upwards;
    /// - `kits`: `above` without `unfit`. A kit fitted itself is left to the fitments.
    func kitsThatFit(_ modelId: String) -> SQLQueryString {
        // PostgreSQL plans `IN (subquery)` as a hash join over every recipe (9 ms at a million parts);
        // `= ANY (ARRAY(…))` probes the components' index with the model's few hundred SKUs (2 ms).
        // The same for the recipes of the kits above (a hash join over every recipe: 36 ms).
        let postgres = database.engine == .postgres
        let fittedComponent: SQLQueryString =
            postgres
            ? "c.component_sku = ANY (ARRAY(SELECT sku FROM fitted))" : "c.component_sku IN (SELECT sku FROM fitted)"
        let kitAbove: SQLQueryString =
            postgres ? "c.bundle_sku = ANY (ARRAY(SELECT sku FROM above))" : "c.bundle_sku IN (SELECT sku FROM above)"
        return """
            fitted(sku) AS MATERIALIZED (SELECT f.sku FROM fitments f WHERE f.model_id = \(bind: modelId)),
            above(sku) AS (
                SELECT c.bundle_sku FROM part_components c WHERE \(fittedComponent)
                UNION
                SELECT c.bundle_sku FROM part_components c JOIN above a ON c.component_sku = a.sku),
            missing(bundle_sku, component_sku) AS MATERIALIZED (
                SELECT c.bundle_sku, c.component_sku FROM part_components c
                WHERE \(kitAbove) AND c.component_sku NOT IN (SELECT sku FROM fitted)),
            unfit(sku) AS (
                SELECT m.bundle_sku FROM missing m WHERE m.component_sku NOT IN (SELECT sku FROM above)
                UNION
                SELECT m.bundle_sku FROM missing m JOIN unfit u ON m.component_sku = u.sku),
            kits(sku) AS (SELECT sku FROM above WHERE sku NOT IN (SELECT sku FROM unfit))
            """
    }

    /// One page of the models part `sku` is fitted to, with the fitments, by model id; 404 when the part is unknown.
    public func models(fitting sku: String, page: PageRequest) async throws -> Page<
        (model: VehicleModel, fitment: Fitment)
    > {
        try await database.read { db in
            guard try await db.raw("SELECT sku FROM parts WHERE sku = \(bind: sku)").first() != nil else {
                throw CatalogProblems.notFound(sku)
            }
            let after = page.after.first ?? ""
            let rows = try await db.raw(
                """
                SELECT m.*, f.position, f.quantity, f.note FROM fitments f JOIN models m ON m.id = f.model_id
                WHERE f.sku = \(bind: sku) AND f.model_id > \(bind: after)
                ORDER BY f.model_id LIMIT \(bind: page.limit + 1)
                """
            ).all()
            let items = try rows.map { row in
                let model = try Self.model(row)
                let fitment = Fitment(
                    sku: sku, modelId: model.id, position: try row.decode(column: "position", as: String?.self),
                    quantity: try row.decode(column: "quantity", as: Int?.self),
                    note: try row.decode(column: "note", as: String?.self))
                return (model: model, fitment: fitment)
            }
            return Page(fetched: items, limit: page.limit) { [$0.model.id] }
        }
    }

    static func model(_ row: any SQLRow) throws -> VehicleModel {
        VehicleModel(
            id: try row.decode(column: "id", as: String.self), kind: try row.decode(enum: "kind"),
            make: try row.decode(column: "make", as: String.self),
            model: try row.decode(column: "model", as: String.self),
            variant: try row.decode(column: "variant", as: String?.self),
            engine: try row.decode(column: "engine", as: String?.self),
            yearFrom: try row.decode(column: "year_from", as: Int?.self),
            yearTo: try row.decode(column: "year_to", as: Int?.self),
            modelNumber: try row.decode(column: "model_number", as: String?.self),
            createdAt: Date(microsecondsSince1970: try row.decode(column: "created_at", as: Int64.self)))
    }
}
