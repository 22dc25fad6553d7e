import Foundation
import SQLKit
import ServiceKit
import Storage

/// The category tree: `Brakes › Pads`, each part in at most one category.
extension CatalogStore {
    /// The category at `path` (e.g. `Brakes › Pads`), created with its missing ancestors; idempotent.
    public func ensureCategory(_ path: String) async throws -> Category {
        let names = try CategoryTree.names(path)
        return try await database.transaction { db in try await ensure(names, in: db) }
    }

    /// Puts part `sku` in the category at `path` (created when missing), or in none when `path` is `nil`;
    /// 404 when the part is unknown.
    public func setCategory(of sku: String, to path: String?) async throws {
        let names = try path.map { try CategoryTree.names($0) }
        try await database.transaction { db in
            guard try await fetch(sku, in: db) != nil else { throw CatalogProblems.notFound(sku) }
            var category: Category?
            if let names { category = try await ensure(names, in: db) }
            try await db.raw("UPDATE parts SET category_id = \(bind: category?.id) WHERE sku = \(bind: sku)").run()
        }
    }

    /// Every category with its path, in path order.
    public func categories() async throws -> [Category] {
        try await database.read { db in
            let rows = try await db.raw("SELECT id, name, parent_id FROM categories").all()
            var byId: [String: (name: String, parent: String?)] = [:]
            for row in rows {
                byId[try row.decode(column: "id", as: String.self)] = (
                    try row.decode(column: "name", as: String.self),
                    try row.decode(column: "parent_id", as: String?.self)
                )
            }
            func path(_ id: String) -> [String] {
                var names: [String] = []
                var current: String? = id
                while let next = current, let node = byId[next], names.count <= CategoryTree.maxDepth {
                    names.insert(node.name, at: 0)
                    current = node.parent
                }
                return names
            }
            return byId.map { Category(id: $0.key, name: $0.value.name, parentId: $0.value.parent, path: path($0.key)) }
                .sorted { $0.path.lexicographicallyPrecedes($1.path) }
        }
    }

    /// Whether category `id` exists.
    public func categoryExists(_ id: String) async throws -> Bool {
        try await database.read { db in
            try await db.raw("SELECT id FROM categories WHERE id = \(bind: id)").first() != nil
        }
    }

    /// The SKUs in category `id` or any category below it.
    public func skus(inCategory id: String) async throws -> Set<String> {
        try await database.read { db in
            Set(
                try await db.raw(
                    """
                    WITH RECURSIVE below(id) AS (
                        SELECT id FROM categories WHERE id = \(bind: id)
                        UNION
                        SELECT c.id FROM categories c JOIN below b ON c.parent_id = b.id)
                    SELECT sku FROM parts WHERE category_id IN (SELECT id FROM below)
                    """
                ).all().map { try $0.decode(column: "sku", as: String.self) })
        }
    }

    func ensure(_ names: [String], in db: any SQLDatabase) async throws -> Category {
        var parent: String?
        var parentOfLast: String?
        var id = ""
        for name in names {
            parentOfLast = parent
            let key = parent ?? ""
            try await db.raw(
                """
                INSERT INTO categories (id, name, parent_id, parent_key) VALUES (\(bind: UUIDv7.make()), \(bind: name),
                    \(bind: parent), \(bind: key))
                ON CONFLICT (parent_key, name) DO NOTHING
                """
            ).run()
            guard
                let row = try await db.raw(
                    "SELECT id FROM categories WHERE parent_key = \(bind: key) AND name = \(bind: name)"
                ).first()
            else { throw CatalogProblems.notFound(name) }
            id = try row.decode(column: "id", as: String.self)
            parent = id
        }
        return Category(id: id, name: names.last ?? "", parentId: parentOfLast, path: names)
    }
}
