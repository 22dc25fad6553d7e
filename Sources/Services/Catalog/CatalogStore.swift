import Foundation
import Logging
import IntegrationEvents
import Messaging
import SQLKit
import ServiceKit
import Storage

/// The catalog's tables: parts, bundle components, and the outbox their events go through.
///
/// Every write runs in one transaction that also appends its events; the pure decisions
/// (``Part/create(from:currency:now:)``, ``Part/applying(_:currency:now:)``, ``BundleRules``) are
/// called from inside it.
public struct CatalogStore: Sendable {
    public let database: Database
    public let currency: String
    /// The most matches a SQLite word search takes from the trigram index; with more, it scans in SKU
    /// order (at the default, 5,000 in a catalog of 1,000,000 parts: a word on one part in 200).
    public let searchIndexLimit: Int
    /// The category nodes read so far (categories never change once made).
    let categoryNodes: CategoryNodes

    public init(database: Database, currency: String, searchIndexLimit: Int = 5000, categoryNodesKept: Int = 100_000) {
        self.categoryNodes = CategoryNodes(limit: categoryNodesKept)
        self.database = database
        self.currency = currency
        self.searchIndexLimit = searchIndexLimit
    }

    /// Creates a part or bundle from `draft`: 422 when invalid, 409 when the SKU exists.
    public func create(_ draft: PartDraft, now: Date = .storageNow) async throws -> Part {
        let part = try Part.create(from: draft, currency: currency, now: now)
        let category = try CategoryTree.names(orNone: draft.category)
        do {
            return try await insertNew(part, category: category)
        } catch  where Database.isUniqueViolation(error) {
            // A concurrent create of the same SKU committed first.
            throw Problem.conflict("catalog.sku_taken", "A part with SKU \(part.sku) already exists.")
        }
    }

    private func insertNew(_ part: Part, category: [String]?) async throws -> Part {
        var part = part
        return try await database.transaction { db in
            if try await exists(part.sku, in: db) {
                throw Problem.conflict("catalog.sku_taken", "A part with SKU \(part.sku) already exists.")
            }
            if !part.components.isEmpty {
                let graph = try await loadGraph(from: part.components.map(\.sku), in: db)
                try BundleRules.check(sku: part.sku, components: part.components, graph: graph)
            }
            if let category { part.categoryId = try await ensure(category, in: db).id }
            try await insert(part, in: db)
            try await publish(CatalogEventMapping.upserted(part), in: db)
            return part
        }
    }

    /// Changes the part `sku`; 404 when unknown, 409 when it changed underneath, 422 when invalid.
    public func update(_ sku: String, with changes: PartChanges, now: Date = .storageNow) async throws -> Part {
        let category = try CategoryTree.names(orNone: changes.category)
        return try await database.transaction { db in
            guard let current = try await fetch(sku, in: db) else { throw CatalogProblems.notFound(sku) }
            var updated = try current.applying(changes, currency: currency, now: now)
            if changes.category != nil {
                if let category {
                    updated.categoryId = try await ensure(category, in: db).id
                } else {
                    updated.categoryId = nil
                }
            }
            if changes.components != nil, !updated.components.isEmpty {
                let graph = try await loadGraph(from: updated.components.map(\.sku), in: db)
                try BundleRules.check(sku: updated.sku, components: updated.components, graph: graph)
            }
            try await save(updated, replacing: current, in: db)
            try await publish(CatalogEventMapping.upserted(updated), in: db)
            if current.status != .discontinued, updated.status == .discontinued {
                try await publish(
                    CatalogPartDiscontinued(sku: updated.sku, version: updated.version, discontinuedAt: now), in: db
                )
            }
            return updated
        }
    }

    /// The part `sku` (any case), or `nil`.
    public func part(_ sku: String) async throws -> Part? {
        guard let sku = SKU.normalize(sku) else { return nil }
        return try await database.read { db in try await fetch(sku, in: db) }
    }

    /// The expanded component tree of `sku`, or `nil` when there is no such part.
    public func componentTree(_ sku: String) async throws -> ComponentTree? {
        guard let sku = SKU.normalize(sku) else { return nil }
        return try await database.read { db in
            let graph = try await loadGraph(from: [sku], in: db)
            return try ComponentTree.expand(sku, graph: graph)
        }
    }

    private func publish(_ event: some IntegrationEvent, in db: any SQLDatabase) async throws {
        try await Outbox.append(event, in: db)
    }

    private func exists(_ sku: String, in db: any SQLDatabase) async throws -> Bool {
        try await db.raw("SELECT sku FROM parts WHERE sku = \(bind: sku)").first() != nil
    }
}
