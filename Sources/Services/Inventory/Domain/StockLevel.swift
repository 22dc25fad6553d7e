import Foundation
import ServiceKit

/// One SKU in one warehouse: what is on the shelf, what is promised to orders, where it lies.
///
/// Invariant (also a CHECK in the table): `0 ≤ reserved ≤ onHand ≤ maxUnits`.
public struct StockLevel: Sendable, Equatable {
    /// The most units one stock row may hold.
    public static let maxUnits = 1_000_000_000

    public var warehouse: String
    public var sku: String
    public var onHand: Int
    public var reserved: Int
    public var bin: String?
    /// Available stock at or below this publishes `inventory.stock.low`; `nil` means not watched.
    public var reorderPoint: Int?
    public var updatedAt: Date

    public var available: Int { onHand - reserved }

    public init(
        warehouse: String, sku: String, onHand: Int, reserved: Int, bin: String?, reorderPoint: Int?, updatedAt: Date
    ) {
        self.warehouse = warehouse
        self.sku = sku
        self.onHand = onHand
        self.reserved = reserved
        self.bin = bin
        self.reorderPoint = reorderPoint
        self.updatedAt = updatedAt
    }

    /// The on-hand count after adding `delta`, or 409 when it would fall below what is reserved (or
    /// below zero, or above ``maxUnits``).
    public func adjusted(by delta: Int) throws(Problem) -> Int {
        let (next, overflow) = onHand.addingReportingOverflow(delta)
        guard !overflow, next <= Self.maxUnits else {
            throw Problem.conflict(
                "inventory.too_much_stock", "A stock row holds at most \(Self.maxUnits) units.")
        }
        guard next >= 0 else {
            throw Problem.conflict(
                "inventory.insufficient_stock", "\(warehouse) has only \(onHand) of \(sku) on hand.")
        }
        try Self.check(onHand: next, reserved: reserved, sku: sku, warehouse: warehouse)
        return next
    }

    /// 409 `inventory.below_reserved` when `onHand` is less than what orders have reserved.
    public static func check(onHand: Int, reserved: Int, sku: String, warehouse: String) throws(Problem) {
        guard onHand >= reserved else {
            throw Problem.conflict(
                "inventory.below_reserved",
                "\(warehouse) has \(reserved) of \(sku) reserved for orders; on hand cannot go below that (asked \(onHand))."
            )
        }
    }

    /// Whether a change from `before` available units to this row's crosses its reorder point
    /// downwards: publish `inventory.stock.low` once per crossing, not on every change below it.
    public func fellToReorderPoint(from before: Int) -> Bool {
        guard let reorderPoint else { return false }
        return available <= reorderPoint && before > reorderPoint
    }
}

/// A change of on-hand stock asked for by staff: units added (positive) or removed, or a count that
/// found `onHand` units on the shelf.
public enum OnHandChange: Sendable, Equatable {
    case delta(Int)
    case count(Int)

    /// The units to add to `onHand` (both within ``StockLevel/maxUnits``, so no overflow).
    public func delta(from onHand: Int) -> Int {
        switch self {
        case .delta(let delta): delta
        case .count(let counted): counted - onHand
        }
    }
}
