import IntegrationEvents
import ServiceKit

/// The orders service's published events, built from orders and moves.
enum OrderEventMapping {
    static func snapshot(_ order: Order) -> OrderSnapshot {
        OrderSnapshot(
            orderId: order.id, number: order.number, customerId: order.customerId, status: order.status.rawValue,
            lines: order.lines.map {
                OrderLineSnapshot(
                    sku: $0.sku, name: $0.name, quantity: $0.quantity, unitPrice: amount($0.unitPrice),
                    lineTotal: amount($0.lineTotal))
            },
            shippingAddress: address(order.shippingAddress), billingAddress: address(order.billingAddress),
            subtotal: amount(order.subtotal), tax: amount(order.tax), taxRateBasisPoints: order.taxRateBasisPoints,
            total: amount(order.total), createdAt: order.createdAt, version: order.version
        )
    }

    /// `order.status.changed` for every move, plus `order.confirmed` or `order.cancelled` where they apply.
    static func forMove(
        _ order: Order, _ change: StatusChange, allocations: [StockAllocation]? = nil
    ) -> [any IntegrationEvent] {
        let snapshot = snapshot(order)
        let from = change.from?.rawValue ?? ""
        var events: [any IntegrationEvent] = [
            OrderStatusChanged(
                order: snapshot, from: from, to: change.to.rawValue, actor: change.actor, reason: change.reason,
                at: change.at)
        ]
        switch change.to {
        case .confirmed: events.append(OrderConfirmed(order: snapshot, at: change.at, allocations: allocations))
        case .cancelled:
            events.append(
                OrderCancelled(order: snapshot, from: from, actor: change.actor, reason: change.reason, at: change.at))
        default: break
        }
        return events
    }

    private static func amount(_ money: Money) -> MoneyAmount {
        MoneyAmount(amount: money.decimal, currency: money.currency)
    }

    private static func address(_ address: Address) -> PostalAddress {
        PostalAddress(
            firstName: address.firstName, lastName: address.lastName, company: address.company, email: address.email,
            phone: address.phone, line1: address.line1, line2: address.line2, line3: address.line3, city: address.city,
            region: address.region, postalCode: address.postalCode, country: address.country
        )
    }
}
