import Foundation
import Synchronization
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
        return try await database.read { db in try await details(of: parts, replacements: nil, in: db) }
    }

    /// ``details(of:)`` on connection `db`; `replacements` (each superseded part's, when the caller read
    /// them with the parts: see ``pageDetailColumns``) saves a query.
    func details(of parts: [Part], replacements known: [String: Replacement]?, in db: any SQLDatabase) async throws
        -> [PartDetails]
    {
        guard !parts.isEmpty else { return [] }
        let paths = try await categoryPaths(Set(parts.compactMap(\.categoryId)), in: db)
        let replacements = if let known { known } else { try await self.replacements(of: parts.map(\.sku), in: db) }
        return parts.map { part in
            PartDetails(
                part: part, category: part.categoryId.flatMap { paths[$0] },
                supersededBy: replacements[part.sku]?.supersededBy, current: replacements[part.sku]?.current)
        }
    }

    /// The path of names of each of `ids`. Categories never change once made, so the nodes read once are
    /// kept (``CategoryNodes``) and only ids whose path is not known yet are read, with their ancestors, in
    /// one query: a page of parts usually costs no statement for its categories.
    private func categoryPaths(_ ids: Set<String>, in db: any SQLDatabase) async throws -> [String: [String]] {
        guard !ids.isEmpty else { return [:] }
        let unknown = categoryNodes.unknown(ids)
        var read: [(id: String, name: String, parent: String?)] = []
        if !unknown.isEmpty {
            let rows = try await db.raw(
                """
                WITH RECURSIVE up(id) AS (
                    SELECT id FROM categories WHERE id IN (\(binds: Array(unknown)))
                    UNION
                    SELECT c.parent_id FROM categories c JOIN up ON c.id = up.id WHERE c.parent_id IS NOT NULL)
                SELECT id, name, parent_id FROM categories WHERE id IN (SELECT id FROM up)
                """
            ).all()
            read = try rows.map { row in
                (
                    try row.decode(column: "id", as: String.self), try row.decode(column: "name", as: String.self),
                    try row.decode(column: "parent_id", as: String?.self)
                )
            }
            categoryNodes.remember(read)
        }
        return categoryNodes.paths(ids, also: read)
    }
}

/// The category nodes (name and parent) a catalog store has read, shared by its requests. A category is
/// never renamed, moved or deleted, so a node once read stays true; at most ``limit`` are kept.
public final class CategoryNodes: Sendable {
    private let state = Mutex<[String: (name: String, parent: String?)]>([:])
    let limit: Int

    public init(limit: Int = 100_000) { self.limit = limit }

    /// The ids whose path is not wholly known.
    func unknown(_ ids: Set<String>) -> Set<String> {
        state.withLock { nodes in
            ids.filter { id in
                var current: String? = id
                var steps = 0
                while let next = current, steps <= CategoryTree.maxDepth {
                    guard let node = nodes[next] else { return true }
                    current = node.parent
                    steps += 1
                }
                return false
            }
        }
    }

    func remember(_ read: [(id: String, name: String, parent: String?)]) {
        state.withLock { nodes in
            for node in read where nodes.count < limit || nodes[node.id] != nil {
                nodes[node.id] = (node.name, node.parent)
            }
        }
    }

    /// The names from the root to each of `ids`, from the kept nodes and `read` (which a full cache did
    /// not keep).
    func paths(_ ids: Set<String>, also read: [(id: String, name: String, parent: String?)]) -> [String: [String]] {
        var extra: [String: (name: String, parent: String?)] = [:]
        for node in read { extra[node.id] = (node.name, node.parent) }
        return state.withLock { nodes in
            var paths: [String: [String]] = [:]
            for id in ids {
                var names: [String] = []
                var current: String? = id
                while let next = current, let node = nodes[next] ?? extra[next], names.count < CategoryTree.maxDepth {
                    names.insert(node.name, at: 0)
                    current = node.parent
                }
                paths[id] = names
            }
            return paths
        }
    }
}
