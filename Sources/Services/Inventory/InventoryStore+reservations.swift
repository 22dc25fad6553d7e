import Foundation
import IntegrationEvents
import Messaging
import SQLKit
import ServiceKit
import Storage

/// An order line names a SKU the catalog's events have not told inventory about yet: the event is
/// retried (and dead-lettered if the catalog never catches up).
struct CatalogNotCaughtUp: Error, CustomStringConvertible {
    let skus: [String]
    var description: String { "inventory has not seen catalog.part.upserted for \(skus.joined(separator: ", ")) yet" }
}

/// A reservation found less available than the plan counted on; cannot happen under the row locks,
/// and if it did, the transaction rolls back and the event is retried.
struct StockMovedUnderneath: Error, CustomStringConvertible {
    let warehouse: String
    let sku: String
    var description: String { "available stock of \(sku) in \(warehouse) changed during the reservation" }
}

/// What inventory decided for an order, recorded once per order (the saga's own idempotency).
enum OrderOutcome: String {
    case pending, reserved, rejected, released, cancelled
}

extension InventoryStore {
    static let actor = "inventory"

    /// Releases `orderId`'s open reservations, in the consumer's transaction `db`. An order cancelled
    /// before inventory saw it placed is remembered, so the late `order.placed` reserves nothing.
    func release(_ orderId: String, now: Date = .storageNow, in db: any SQLDatabase) async throws {
        guard try await !claim(orderId, as: .cancelled, now: now, in: db) else { return }
        let outcome = try await db.raw(
            "SELECT outcome FROM order_outcomes WHERE order_id = \(bind: orderId) \(unsafeRaw: database.engine.rowLockClause)"
        ).first().map { try $0.decode(enum: "outcome", as: OrderOutcome.self) }
        guard outcome == .reserved else { return }
        let open = try await db.raw(
            "SELECT * FROM reservations WHERE order_id = \(bind: orderId) AND status = 'open' ORDER BY position"
        ).all().map { row in
            StockAllocation(
                warehouse: try row.decode(column: "warehouse", as: String.self),
                sku: try row.decode(column: "sku", as: String.self),
                quantity: try row.decode(column: "quantity", as: Int.self),
                bin: try row.decode(column: "bin", as: String?.self),
                bundleSku: try row.decode(column: "bundle_sku", as: String?.self))
        }
        var changes: [StockChange] = []
        for (key, quantity) in Self.perRow(open).sorted(by: { $0.key < $1.key }) {
            let after = try await changeReserved(
                warehouse: key.warehouse, sku: key.sku, by: -quantity, now: now, in: db)
            changes.append(StockChange(after: after, cause: .release, reservedDelta: -quantity, orderId: orderId))
        }
        try await record(changes, actor: Self.actor, in: db)
        try await db.raw(
            """
            UPDATE reservations SET status = 'released', updated_at = \(bind: now.microsecondsSince1970)
            WHERE order_id = \(bind: orderId) AND status = 'open'
            """
        ).run()
        try await settle(orderId, as: .released, now: now, in: db)
        let released = try EventEnvelope(InventoryReleased(orderId: orderId, allocations: open, at: now))
        try await Outbox.append(try changes.flatMap(events(of:)) + [released], engine: database.engine, in: db)
    }

    /// Records the first outcome for `orderId`; `false` when one was recorded before.
    private func claim(_ orderId: String, as outcome: OrderOutcome, now: Date, in db: any SQLDatabase) async throws
        -> Bool
    {
        try await db.raw(
            """
            INSERT INTO order_outcomes (order_id, outcome, at)
            VALUES (\(bind: orderId), \(bind: outcome.rawValue), \(bind: now.microsecondsSince1970))
            ON CONFLICT (order_id) DO NOTHING RETURNING order_id
            """
        ).first() != nil
    }

    private func settle(_ orderId: String, as outcome: OrderOutcome, now: Date, in db: any SQLDatabase) async throws {
        try await db.raw(
            """
            UPDATE order_outcomes SET outcome = \(bind: outcome.rawValue), at = \(bind: now.microsecondsSince1970)
            WHERE order_id = \(bind: orderId)
            """
        ).run()
    }

    /// `reserved += delta` on one row, only while `0 ≤ reserved ≤ on_hand` holds; the row after it.
    private func changeReserved(warehouse: String, sku: String, by delta: Int, now: Date, in db: any SQLDatabase)
        async throws -> StockLevel
    {
        guard
            let row = try await db.raw(
                """
                UPDATE stock SET reserved = reserved + \(bind: delta), updated_at = \(bind: now.microsecondsSince1970)
                WHERE warehouse = \(bind: warehouse) AND sku = \(bind: sku)
                    AND reserved + \(bind: delta) >= 0 AND on_hand - reserved >= \(bind: delta)
                RETURNING *
                """
            ).first()
        else { throw StockMovedUnderneath(warehouse: warehouse, sku: sku) }
        return try InventoryRows.stock(row)
    }

    /// The stock rows of `skus` in every warehouse, locked in one order (SKU, warehouse) so that
    /// concurrent reservations wait for each other instead of deadlocking.
    func lockedStock(_ skus: Set<String>, in db: any SQLDatabase) async throws -> [StockLevel] {
        guard !skus.isEmpty else { return [] }
        return try await db.raw(
            """
            SELECT * FROM stock WHERE sku IN (\(binds: skus.sorted())) ORDER BY sku, warehouse
            \(unsafeRaw: database.engine.rowLockClause)
            """
        ).all().map(InventoryRows.stock)
    }

    /// Units per (warehouse, sku) over allocations.
    static func perRow(_ allocations: [StockAllocation]) -> [RowKey: Int] {
        allocations.reduce(into: [:]) { $0[RowKey(warehouse: $1.warehouse, sku: $1.sku), default: 0] += $1.quantity }
    }

    struct RowKey: Hashable, Comparable {
        let warehouse: String
        let sku: String
        static func < (a: RowKey, b: RowKey) -> Bool { (a.sku, a.warehouse) < (b.sku, b.warehouse) }
    }
}
