import Foundation
import IntegrationEvents
import Messaging
import SQLKit
import ServiceKit
import Storage

/// Supersessions: which part replaces which, and the newest active part of a chain.
extension CatalogStore {
    /// Records that `newSku` replaces `sku`: 404 when either is unknown, 409 on a cycle or a chain too long.
    public func supersede(_ sku: String, by newSku: String, now: Date = .storageNow) async throws {
        try await database.transaction { db in try await supersede(sku, by: newSku, now: now, in: db) }
    }

    /// ``supersede(_:by:now:)`` inside a transaction.
    func supersede(_ sku: String, by newSku: String, now: Date, in db: any SQLDatabase) async throws {
        try await lockSupersessions(in: db)
        for part in [sku, newSku]
        where try await db.raw("SELECT sku FROM parts WHERE sku = \(bind: part)").first() == nil {
            throw CatalogProblems.notFound(part)
        }
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
        try await Outbox.append(CatalogPartSuperseded(sku: sku, supersededBy: newSku, at: now), in: db)
    }

    /// The PostgreSQL advisory lock that supersessions hold until their transaction commits.
    static let supersessionLock: Int64 = 0x5350_524B_5355_5052  // "SPRKSUPR"

    /// PostgreSQL: waits for the supersessions of other transactions to commit, and keeps theirs waiting
    /// until this one does. Two transactions at once (import batches written side by side, see
    /// CatalogImporter, or REST calls) would each read the chains without the other's edge, and two
    /// edges that close a cycle together could both pass. SQLite writes one transaction at a time.
    private func lockSupersessions(in db: any SQLDatabase) async throws {
        guard database.engine == .postgres else { return }
        try await db.raw("SELECT pg_advisory_xact_lock(\(bind: Self.supersessionLock))").run()
    }

    /// An import batch's supersessions (each SKU at most once), checked in file order against the chains
    /// as they stand with the earlier rows applied, and written together: every chain through the batch's
    /// parts is read with one statement, instead of a few round trips per row. An edge already stored is
    /// left as it is (no event), as an import re-run needs; a refused row is one error each.
    func importSupersessions(_ edges: [(line: Int, sku: String, newSku: String)], now: Date, in db: any SQLDatabase)
        async throws -> [ImportRowError]
    {
        guard !edges.isEmpty else { return [] }
        let engine = database.engine
        try await lockSupersessions(in: db)
        var keys = JSONRows(columns: [("k", "TEXT")])
        for sku in Set(edges.flatMap { [$0.sku, $0.newSku] }) { keys.append([.text(sku)]) }
        let known = Set(
            try await db.raw("SELECT p.sku FROM \(keys.source(engine, alias: "x")) JOIN parts p ON p.sku = x.k").all()
                .map { try $0.decode(column: "sku", as: String.self) })
        var successors: [String: String] = [:]
        for row in try await db.raw(
            """
            WITH RECURSIVE ahead (sku) AS (
                SELECT x.k FROM \(keys.source(engine, alias: "x"))
                UNION SELECT s.superseded_by FROM supersessions s JOIN ahead a ON s.sku = a.sku),
            behind (sku) AS (
                SELECT x.k FROM \(keys.source(engine, alias: "x"))
                UNION SELECT s.sku FROM supersessions s JOIN behind b ON s.superseded_by = b.sku)
            SELECT s.sku, s.superseded_by FROM supersessions s
            WHERE s.sku IN (SELECT sku FROM ahead UNION SELECT sku FROM behind)
            """
        ).all() {
            successors[try row.decode(column: "sku", as: String.self)] = try row.decode(
                column: "superseded_by", as: String.self)
        }
        var errors: [ImportRowError] = []
        var accepted = JSONRows(columns: [("s", "TEXT"), ("n", "TEXT")])
        var events: [EventEnvelope] = []
        for (line, sku, newSku) in edges where successors[sku] != newSku {
            if let unknown = [sku, newSku].first(where: { !known.contains($0) }) {
                errors.append(
                    ImportRowError(
                        line: line, reasons: CatalogProblems.notFound(unknown).reasons.map { "superseded_by: \($0)" }))
                continue
            }
            let previous = successors.removeValue(forKey: sku)
            do {
                try SupersessionRules.check(sku, supersededBy: newSku, successors: successors)
            } catch {
                successors[sku] = previous
                errors.append(ImportRowError(line: line, reasons: error.reasons.map { "superseded_by: \($0)" }))
                continue
            }
            successors[sku] = newSku
            accepted.append([.text(sku), .text(newSku)])
            let event = CatalogPartSuperseded(sku: sku, supersededBy: newSku, at: now)
            events.append(
                try EventEnvelope(
                    source: CatalogPartSuperseded.source, type: CatalogPartSuperseded.type, subject: event.subject,
                    payload: event))
        }
        guard accepted.count > 0 else { return errors }
        try await db.raw(
            """
            INSERT INTO supersessions (sku, superseded_by, at)
            SELECT v.s, v.n, \(bind: now.microsecondsSince1970) FROM \(accepted.source(engine, alias: "v")) WHERE true
            ON CONFLICT (sku) DO UPDATE SET superseded_by = excluded.superseded_by, at = excluded.at
            """
        ).run()
        try await Outbox.append(events, engine: engine, in: db)
        return errors
    }

    /// What supersedes `sku` directly, and the part to sell instead (the newest active one of its chain);
    /// both `nil` when nothing does.
    public func replacement(of sku: String) async throws -> (supersededBy: String?, current: String?) {
        try await database.read { db in try await replacement(of: sku, in: db) }
    }

    func replacement(of sku: String, in db: any SQLDatabase) async throws -> (supersededBy: String?, current: String?) {
        try await replacements(of: [sku], in: db)[sku] ?? (nil, nil)
    }

    /// ``replacement(of:)`` of each of `skus` that something supersedes, from one statement: every chain
    /// forward from them, each edge with whether its newer part is active (a page of parts made one round
    /// trip per step of each chain on it before). Each step is a lookup by key: joined, PostgreSQL would
    /// rather hash every supersession for every step (7 ms instead of 0.2 at a million parts).
    func replacements(of skus: [String], in db: any SQLDatabase) async throws -> [String: Replacement] {
        guard !skus.isEmpty else { return [:] }
        var successors: [String: String] = [:]
        var active: Set<String> = []
        for row in try await db.raw(
            """
            WITH RECURSIVE ahead (sku, next) AS (
                SELECT s.sku, s.superseded_by FROM supersessions s WHERE s.sku IN (\(binds: skus))
                UNION
                SELECT a.next, (SELECT s.superseded_by FROM supersessions s WHERE s.sku = a.next)
                FROM ahead a WHERE a.next IS NOT NULL)
            SELECT a.sku, a.next AS superseded_by,
                CASE WHEN (SELECT p.status FROM parts p WHERE p.sku = a.next) = 'active' THEN 1 ELSE 0 END AS active
            FROM ahead a WHERE a.next IS NOT NULL
            """
        ).all() {
            let next = try row.decode(column: "superseded_by", as: String.self)
            successors[try row.decode(column: "sku", as: String.self)] = next
            if try row.decode(column: "active", as: Int.self) == 1 { active.insert(next) }
        }
        var replacements: [String: Replacement] = [:]
        for sku in skus {
            guard let next = successors[sku] else { continue }
            replacements[sku] = (next, SupersessionRules.current(of: sku, successors: successors, active: active))
        }
        return replacements
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
            let previous = try await db.raw(
                "SELECT sku FROM supersessions WHERE superseded_by = \(bind: current) LIMIT 1"
            )
            .first().map({ try $0.decode(column: "sku", as: String.self) }),
            edges[previous] == nil
        {
            edges[previous] = current
            current = previous
        }
        return edges
    }
}
