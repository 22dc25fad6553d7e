import SQLKit
import ServiceKit
import Storage

/// A part as the API shows it: with its category path and what replaces it.
public struct PartDetails: Sendable, Equatable {
    public var part: Part
    /// Names from the root of the part's category, e.g. `["Brakes", "Pads"]`; `nil` when it has none.
    public var category: [String]?
    /// The part that replaces this one directly.
    public var supersededBy: String?
    /// The part to sell instead: the newest active part of the supersession chain.
    public var current: String?
}

extension CatalogStore {
    /// The part `sku` with its details, or `nil`.
    public func details(_ sku: String) async throws -> PartDetails? {
        guard let part = try await part(sku) else { return nil }
        return try await details(of: [part]).first
    }

    /// `parts` with their category paths and replacements, in the same order.
    public func details(of parts: [Part]) async throws -> [PartDetails] {
        guard !parts.isEmpty else { return [] }
        return try await database.read { db in try await details(of: parts, superseded: nil, in: db) }
    }

    /// ``details(of:)`` on connection `db`; `superseded` (each part's direct replacement, when the caller
    /// read them with the parts) saves a query.
    func details(of parts: [Part], superseded: [String: String]?, in db: any SQLDatabase) async throws
        -> [PartDetails]
    {
        guard !parts.isEmpty else { return [] }
        let paths = try await categoryPaths(Set(parts.compactMap(\.categoryId)), in: db)
        var replaced = superseded.map { Array($0.keys) } ?? []
        if superseded == nil {
            replaced = try await db.raw("SELECT sku FROM supersessions WHERE sku IN (\(binds: parts.map(\.sku)))")
                .all().map { try $0.decode(column: "sku", as: String.self) }
        }
        var replacements: [String: (supersededBy: String?, current: String?)] = [:]
        for sku in replaced { replacements[sku] = try await replacement(of: sku, in: db) }
        return parts.map { part in
            PartDetails(
                part: part, category: part.categoryId.flatMap { paths[$0] },
                supersededBy: replacements[part.sku]?.supersededBy, current: replacements[part.sku]?.current)
        }
    }

    /// The path of names of each of `ids`, from one query that reads the categories and their ancestors.
    private func categoryPaths(_ ids: Set<String>, in db: any SQLDatabase) async throws -> [String: [String]] {
        guard !ids.isEmpty else { return [:] }
        var nodes: [String: (name: String, parent: String?)] = [:]
        let rows = try await db.raw(
            """
            WITH RECURSIVE up(id) AS (
                SELECT id FROM categories WHERE id IN (\(binds: Array(ids)))
                UNION
                SELECT c.parent_id FROM categories c JOIN up ON c.id = up.id WHERE c.parent_id IS NOT NULL)
            SELECT id, name, parent_id FROM categories WHERE id IN (SELECT id FROM up)
            """
        ).all()
        for row in rows {
            nodes[try row.decode(column: "id", as: String.self)] = (
                try row.decode(column: "name", as: String.self), try row.decode(column: "parent_id", as: String?.self)
            )
        }
        var paths: [String: [String]] = [:]
        for id in ids {
            var names: [String] = []
            var current: String? = id
            while let next = current, let node = nodes[next], names.count < CategoryTree.maxDepth {
                names.insert(node.name, at: 0)
                current = node.parent
            }
            paths[id] = names
        }
        return paths
    }
}
