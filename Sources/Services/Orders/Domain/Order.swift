import Foundation
import ServiceKit

/// One priced line of an order.
public struct OrderLine: Sendable, Equatable, Codable {
    public var sku: String
    public var name: String
    public var quantity: Int
    public var unitPrice: Money
    public var lineTotal: Money

    public init(sku: String, name: String, quantity: Int, unitPrice: Money, lineTotal: Money) {
        self.sku = sku
        self.name = name
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.lineTotal = lineTotal
    }
}

/// One recorded status move.
public struct StatusChange: Sendable, Equatable, Codable {
    public var from: OrderStatus?
    public var to: OrderStatus
    public var at: Date
    /// The account that made the move.
    public var actor: String
    public var reason: String?

    public init(from: OrderStatus?, to: OrderStatus, at: Date, actor: String, reason: String?) {
        self.from = from
        self.to = to
        self.at = at
        self.actor = actor
        self.reason = reason
    }
}

/// A customer's order: priced lines, addresses, totals and where it is in the status machine.
public struct Order: Sendable, Equatable {
    public var id: String
    public var number: String
    public var customerId: String
    public var status: OrderStatus
    public var lines: [OrderLine]
    public var shippingAddress: Address
    public var billingAddress: Address
    public var subtotal: Money
    public var tax: Money
    /// Basis points (1/100 of a percent): 1900 is 19 %.
    public var taxRateBasisPoints: Int
    public var total: Money
    public var createdAt: Date
    public var updatedAt: Date
    public var version: Int

    public var currency: String { total.currency }

    public init(
        id: String, number: String, customerId: String, status: OrderStatus, lines: [OrderLine],
        shippingAddress: Address,
        billingAddress: Address, subtotal: Money, tax: Money, taxRateBasisPoints: Int, total: Money, createdAt: Date,
        updatedAt: Date, version: Int
    ) {
        self.id = id
        self.number = number
        self.customerId = customerId
        self.status = status
        self.lines = lines
        self.shippingAddress = shippingAddress
        self.billingAddress = billingAddress
        self.subtotal = subtotal
        self.tax = tax
        self.taxRateBasisPoints = taxRateBasisPoints
        self.total = total
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }

    /// Moves the order to `status`, or refuses with 409 `order.illegal_transition` listing the allowed moves.
    public func transition(
        to status: OrderStatus, at now: Date, by actor: String, reason: String?
    ) throws(Problem) -> (Order, StatusChange) {
        guard self.status.allowedMoves.contains(status) else {
            let allowed = self.status.allowedMoves.map(\.rawValue)
            throw Problem.conflict(
                "order.illegal_transition",
                "An order in \(self.status.rawValue) cannot move to \(status.rawValue)"
                    + (allowed.isEmpty ? "; it is final." : "; allowed: \(allowed.joined(separator: ", "))."),
                allowed: allowed
            )
        }
        var moved = self
        moved.status = status
        moved.updatedAt = now
        moved.version += 1
        return (moved, StatusChange(from: self.status, to: status, at: now, actor: actor, reason: reason))
    }
}
