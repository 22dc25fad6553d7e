import Foundation
import IntegrationEvents
import SQLKit
import ServiceKit
import Storage

extension InventoryStore {
    /// Keeps what inventory knows of the catalog (kind, bundle recipe) at the newest version seen.
    func apply(_ event: CatalogPartUpserted, in db: any SQLDatabase) async throws {
        let sku = event.sku.uppercased()
        let newer =
            try await db.raw(
                """
                INSERT INTO catalog_items (sku, kind, version) VALUES (\(bind: sku), \(bind: event.kind), \(bind: event.version))
                ON CONFLICT (sku) DO UPDATE SET kind = excluded.kind, version = excluded.version
                WHERE catalog_items.version < excluded.version
                RETURNING sku
                """
            ).first() != nil
        guard newer else { return }
        try await db.raw("DELETE FROM bundle_components WHERE bundle_sku = \(bind: sku)").run()
        for component in event.components {
            try await db.raw(
                """
                INSERT INTO bundle_components (bundle_sku, component_sku, quantity)
                VALUES (\(bind: sku), \(bind: component.sku.uppercased()), \(bind: component.quantity))
                ON CONFLICT (bundle_sku, component_sku) DO UPDATE SET quantity = excluded.quantity
                """
            ).run()
        }
    }

    /// An import's batch: plain parts that were plain before too in one statement (no recipe to change);
    /// kits, and parts that were kits, one by one as ``apply(_:in:)`` does.
    func apply(_ batch: CatalogPartsUpserted, in db: any SQLDatabase) async throws {
        let skus = batch.parts.map { $0.sku.uppercased() }
        var keys = JSONRows(columns: [("sku", "TEXT")])
        for sku in skus { keys.append([.text(sku)]) }
        let wereKits = Set(
            try await db.raw(
                "SELECT DISTINCT c.bundle_sku FROM \(keys.source(database.engine, alias: "k")) JOIN bundle_components c ON c.bundle_sku = k.sku"
            ).all().map { try $0.decode(column: "bundle_sku", as: String.self) })
        var plain = JSONRows(columns: [("sku", "TEXT"), ("kind", "TEXT"), ("version", "BIGINT")])
        for part in batch.parts {
            let sku = part.sku.uppercased()
            if part.components.isEmpty, !wereKits.contains(sku) {
                plain.append([.text(sku), .text(part.kind), .integer(Int64(part.version))])
            } else {
                try await apply(part, in: db)
            }
        }
        guard plain.count > 0 else { return }
        try await db.raw(
            """
            INSERT INTO catalog_items (sku, kind, version)
            SELECT v.sku, v.kind, v.version FROM \(plain.source(database.engine, alias: "v")) WHERE true
            ON CONFLICT (sku) DO UPDATE SET kind = excluded.kind, version = excluded.version
            WHERE catalog_items.version < excluded.version
            """
        ).run()
    }

    /// The recipes of every kit reachable from `skus`.
    func recipes(for skus: [String], in db: any SQLDatabase) async throws -> BundleRecipes {
        var recipes: [String: [ComponentQuantity]] = [:]
        var frontier = Set(skus)
        var seen = Set<String>()
        for _ in 0...BundleRecipes.maxDepth where !frontier.isEmpty {
            seen.formUnion(frontier)
            let rows = try await db.raw(
                "SELECT * FROM bundle_components WHERE bundle_sku IN (\(binds: frontier.sorted())) ORDER BY bundle_sku, component_sku"
            ).all()
            var next = Set<String>()
            for row in rows {
                let bundle = try row.decode(column: "bundle_sku", as: String.self)
                let component = try row.decode(column: "component_sku", as: String.self)
                recipes[bundle, default: []].append(
                    ComponentQuantity(sku: component, quantity: try row.decode(column: "quantity", as: Int.self)))
                if !seen.contains(component) { next.insert(component) }
            }
            frontier = next
        }
        return BundleRecipes(recipes)
    }

    /// Which of `skus` inventory has heard of (from the catalog, or because it holds stock of them).
    func knownSkus(_ skus: [String], in db: any SQLDatabase) async throws -> Set<String> {
        guard !skus.isEmpty else { return [] }
        let list = Array(Set(skus)).sorted()
        let rows = try await db.raw(
            """
            SELECT sku FROM catalog_items WHERE sku IN (\(binds: list))
            UNION SELECT sku FROM stock WHERE sku IN (\(binds: list))
            """
        ).all()
        return Set(try rows.map { try $0.decode(column: "sku", as: String.self) })
    }

    /// What can be ordered of `sku` now; `nil` when inventory knows no such part or kit.
    public func availability(_ sku: String) async throws -> Availability? {
        let sku = sku.uppercased()
        return try await database.read { db in
            let sites = Dictionary(
                uniqueKeysWithValues: try await db.raw("SELECT * FROM warehouses").all().map {
                    let site = try InventoryRows.warehouse($0).site
                    return (site.code, site)
                })
            let recipes = try await recipes(for: [sku], in: db)
            if recipes.components[sku] != nil {
                let needs = try recipes.expand([(sku: sku, quantity: 1)]).totals()
                let rows = try await stockRows(Array(needs.keys), in: db)
                return Availability.bundle(sku, perUnit: needs, rows: rows, sites: Array(sites.values))
            }
            let rows = try await stockRows([sku], in: db)
            if rows.isEmpty, try await knownSkus([sku], in: db).isEmpty { return nil }
            return Availability.part(sku, rows: rows, sites: sites)
        }
    }

    private func stockRows(_ skus: [String], in db: any SQLDatabase) async throws -> [StockLevel] {
        guard !skus.isEmpty else { return [] }
        return try await db.raw("SELECT * FROM stock WHERE sku IN (\(binds: skus.sorted())) ORDER BY warehouse, sku")
            .all().map(InventoryRows.stock)
    }
}
