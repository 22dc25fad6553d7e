import Foundation

/// Stock set aside for one order in one warehouse: a leaf SKU (never a bundle), how many, where to pick
/// it, and the order line's bundle when it was reserved for a kit.
public struct StockAllocation: Codable, Sendable, Equatable, Hashable {
    public var warehouse: String
    public var sku: String
    public var quantity: Int
    public var bin: String?
    /// The bundle SKU of the order line this component was reserved for; `nil` for a loose line.
    public var bundleSku: String?

    public init(warehouse: String, sku: String, quantity: Int, bin: String?, bundleSku: String?) {
        self.warehouse = warehouse
        self.sku = sku
        self.quantity = quantity
        self.bin = bin
        self.bundleSku = bundleSku
    }
}

/// A SKU an order needs more of than every warehouse together has available.
public struct StockShortage: Codable, Sendable, Equatable {
    public var sku: String
    public var requested: Int
    public var available: Int

    public init(sku: String, requested: Int, available: Int) {
        self.sku = sku
        self.requested = requested
        self.available = available
    }
}

/// `inventory.reserved`: the whole order is reserved, in these warehouses.
public struct InventoryReserved: IntegrationEvent, Equatable {
    public static let type = "inventory.reserved"
    public static let source = "/inventory"
    public var orderId: String
    public var allocations: [StockAllocation]
    public var at: Date
    public var subject: String { orderId }

    public init(orderId: String, allocations: [StockAllocation], at: Date) {
        self.orderId = orderId
        self.allocations = allocations
        self.at = at
    }
}

/// `inventory.rejected`: the order cannot be reserved in full (nothing was reserved).
public struct InventoryRejected: IntegrationEvent, Equatable {
    public static let type = "inventory.rejected"
    public static let source = "/inventory"
    public var orderId: String
    public var missing: [StockShortage]
    public var at: Date
    public var subject: String { orderId }

    public init(orderId: String, missing: [StockShortage], at: Date) {
        self.orderId = orderId
        self.missing = missing
        self.at = at
    }
}

/// `inventory.released`: an order's open reservations went back to available stock.
public struct InventoryReleased: IntegrationEvent, Equatable {
    public static let type = "inventory.released"
    public static let source = "/inventory"
    public var orderId: String
    public var allocations: [StockAllocation]
    public var at: Date
    public var subject: String { orderId }

    public init(orderId: String, allocations: [StockAllocation], at: Date) {
        self.orderId = orderId
        self.allocations = allocations
        self.at = at
    }
}

/// `inventory.stock.changed`: one stock row after any change (set, adjustment, reservation, release).
public struct InventoryStockChanged: IntegrationEvent, Equatable {
    public static let type = "inventory.stock.changed"
    public static let source = "/inventory"
    public var warehouse: String
    public var sku: String
    public var onHand: Int
    public var reserved: Int
    public var available: Int
    /// `set`, `adjustment`, `reserve`, `release` or `commit`.
    public var cause: String
    public var at: Date
    public var subject: String { "\(warehouse)/\(sku)" }

    public init(warehouse: String, sku: String, onHand: Int, reserved: Int, available: Int, cause: String, at: Date) {
        self.warehouse = warehouse
        self.sku = sku
        self.onHand = onHand
        self.reserved = reserved
        self.available = available
        self.cause = cause
        self.at = at
    }
}

/// `inventory.stock.low`: available stock fell to or below the row's reorder point.
public struct InventoryStockLow: IntegrationEvent, Equatable {
    public static let type = "inventory.stock.low"
    public static let source = "/inventory"
    public var warehouse: String
    public var sku: String
    public var available: Int
    public var reorderPoint: Int
    public var at: Date
    public var subject: String { "\(warehouse)/\(sku)" }

    public init(warehouse: String, sku: String, available: Int, reorderPoint: Int, at: Date) {
        self.warehouse = warehouse
        self.sku = sku
        self.available = available
        self.reorderPoint = reorderPoint
        self.at = at
    }
}
