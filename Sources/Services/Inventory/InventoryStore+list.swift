import Foundation
import SQLKit
import ServiceKit
import Storage

extension InventoryStore {
    /// One page of `warehouse`'s stock rows by SKU: those whose SKU starts with `prefix`, and with
    /// `low` only those with a reorder point whose available units are at or below it; 404 for an
    /// unknown warehouse.
    public func stock(
        warehouse code: String, skuPrefix prefix: String? = nil, low: Bool = false, page: PageRequest
    ) async throws -> Page<StockLevel> {
        let code = code.uppercased()
        var conditions: [SQLQueryString] = ["warehouse = \(bind: code)"]
        if let prefix, !prefix.isEmpty {
            let prefix = prefix.uppercased()
            // The length as a literal: PostgreSQL has no substr(text, integer, bigint) for a bound Int.
            conditions.append("substr(sku, 1, \(unsafeRaw: String(prefix.count))) = \(bind: prefix)")
        }
        if low { conditions.append("reorder_point IS NOT NULL AND on_hand - reserved <= reorder_point") }
        if let after = page.after.first { conditions.append("sku > \(bind: after)") }
        let whereClause = conditions.joined(separator: " AND ")
        return try await database.read { db in
            guard try await db.raw("SELECT code FROM warehouses WHERE code = \(bind: code)").first() != nil else {
                throw InventoryProblems.warehouseNotFound(code)
            }
            let rows = try await db.raw(
                "SELECT * FROM stock WHERE \(whereClause) ORDER BY sku LIMIT \(bind: page.limit + 1)"
            ).all().map(InventoryRows.stock)
            return Page(fetched: rows, limit: page.limit) { [$0.sku] }
        }
    }
}

/// One line of an order's reservation: where its units are held, and whether they still are.
public struct ReservationLine: Sendable, Equatable {
    public let warehouse: String
    public let sku: String
    public let quantity: Int
    public let bin: String?
    public let bundleSku: String?
    public let status: String
    public let updatedAt: Date
}

extension InventoryStore {
    /// The reservations of `orderId` in the order they were taken.
    public func reservations(of orderId: String) async throws -> [ReservationLine] {
        try await database.read { db in
            try await db.raw("SELECT * FROM reservations WHERE order_id = \(bind: orderId) ORDER BY position").all()
                .map(InventoryRows.reservation)
        }
    }
}
