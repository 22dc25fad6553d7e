import Foundation
import SQLKit
import Storage

/// Decodes the inventory service's rows into domain types (unknown stored values throw).
enum InventoryRows {
    static func warehouse(_ row: any SQLRow) throws -> Warehouse {
        Warehouse(
            code: try row.decode(column: "code", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            country: try row.decode(column: "country", as: String.self),
            region: try row.decode(column: "region", as: String?.self),
            createdAt: Date(microsecondsSince1970: try row.decode(column: "created_at", as: Int64.self))
        )
    }

    static func stock(_ row: any SQLRow) throws -> StockLevel {
        StockLevel(
            warehouse: try row.decode(column: "warehouse", as: String.self),
            sku: try row.decode(column: "sku", as: String.self),
            onHand: try row.decode(column: "on_hand", as: Int.self),
            reserved: try row.decode(column: "reserved", as: Int.self),
            bin: try row.decode(column: "bin", as: String?.self),
            reorderPoint: try row.decode(column: "reorder_point", as: Int?.self),
            updatedAt: Date(microsecondsSince1970: try row.decode(column: "updated_at", as: Int64.self))
        )
    }

    static func ledger(_ row: any SQLRow) throws -> LedgerEntry {
        LedgerEntry(
            seq: try row.decode(column: "seq", as: Int.self),
            warehouse: try row.decode(column: "warehouse", as: String.self),
            sku: try row.decode(column: "sku", as: String.self),
            cause: try row.decode(enum: "cause"),
            onHandDelta: try row.decode(column: "on_hand_delta", as: Int.self),
            reservedDelta: try row.decode(column: "reserved_delta", as: Int.self),
            onHandAfter: try row.decode(column: "on_hand_after", as: Int.self),
            reservedAfter: try row.decode(column: "reserved_after", as: Int.self),
            orderId: try row.decode(column: "order_id", as: String?.self),
            reason: try row.decode(column: "reason", as: String?.self),
            actor: try row.decode(column: "actor", as: String.self),
            at: Date(microsecondsSince1970: try row.decode(column: "at", as: Int64.self))
        )
    }

    static func reservation(_ row: any SQLRow) throws -> ReservationLine {
        ReservationLine(
            warehouse: try row.decode(column: "warehouse", as: String.self),
            sku: try row.decode(column: "sku", as: String.self),
            quantity: try row.decode(column: "quantity", as: Int.self),
            bin: try row.decode(column: "bin", as: String?.self),
            bundleSku: try row.decode(column: "bundle_sku", as: String?.self),
            status: try row.decode(column: "status", as: String.self),
            updatedAt: Date(microsecondsSince1970: try row.decode(column: "updated_at", as: Int64.self))
        )
    }
}
