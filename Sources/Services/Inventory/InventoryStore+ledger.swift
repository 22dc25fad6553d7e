import Foundation
import IntegrationEvents
import Messaging
import SQLKit
import Storage

/// A stock row's change waiting to be written: its ledger entry and its events, appended together
/// with the other rows' of the same decision (one statement each, not one per row).
struct StockChange {
    let after: StockLevel
    let cause: LedgerEntry.Cause
    let reservedDelta: Int
    let orderId: String?
    var onHandDelta = 0
    var reason: String?
}

extension InventoryStore {
    /// Appends the ledger entries of `changes`, in their order, with one statement.
    func record(_ changes: [StockChange], actor: String, in db: any SQLDatabase) async throws {
        guard !changes.isEmpty else { return }
        var rows = JSONRows(columns: [
            ("o", "BIGINT"), ("warehouse", "TEXT"), ("sku", "TEXT"), ("cause", "TEXT"), ("on_hand_delta", "BIGINT"),
            ("reserved_delta", "BIGINT"), ("on_hand_after", "BIGINT"), ("reserved_after", "BIGINT"),
            ("order_id", "TEXT"), ("reason", "TEXT"), ("at", "BIGINT"),
        ])
        for (index, change) in changes.enumerated() {
            rows.append([
                .integer(Int64(index)), .text(change.after.warehouse), .text(change.after.sku),
                .text(change.cause.rawValue), .integer(Int64(change.onHandDelta)),
                .integer(Int64(change.reservedDelta)), .integer(Int64(change.after.onHand)),
                .integer(Int64(change.after.reserved)), .text(change.orderId), .text(change.reason),
                .integer(change.after.updatedAt.microsecondsSince1970),
            ])
        }
        try await db.raw(
            """
            INSERT INTO stock_ledger (warehouse, sku, cause, on_hand_delta, reserved_delta, on_hand_after,
                reserved_after, order_id, reason, actor, at)
            SELECT v.warehouse, v.sku, v.cause, v.on_hand_delta, v.reserved_delta, v.on_hand_after, v.reserved_after,
                v.order_id, v.reason, \(bind: actor), v.at
            FROM \(rows.source(database.engine, alias: "v")) ORDER BY v.o
            """
        ).run()
    }

    /// The events of `change`: `inventory.stock.changed`, and `inventory.stock.low` when it crossed the
    /// reorder point.
    func events(of change: StockChange) throws -> [EventEnvelope] {
        try events(
            of: change.after, availableBefore: change.after.available + change.reservedDelta, cause: change.cause)
    }

    /// The events of a stock row now at `stock`, with `availableBefore` units available before the change.
    func events(of stock: StockLevel, availableBefore: Int, cause: LedgerEntry.Cause) throws -> [EventEnvelope] {
        var events = [
            try EventEnvelope(
                InventoryStockChanged(
                    warehouse: stock.warehouse, sku: stock.sku, onHand: stock.onHand, reserved: stock.reserved,
                    available: stock.available, cause: cause.rawValue, at: stock.updatedAt))
        ]
        if stock.fellToReorderPoint(from: availableBefore), let reorderPoint = stock.reorderPoint {
            events.append(
                try EventEnvelope(
                    InventoryStockLow(
                        warehouse: stock.warehouse, sku: stock.sku, available: stock.available,
                        reorderPoint: reorderPoint, at: stock.updatedAt)))
        }
        return events
    }
}
