import Foundation
import OrdersAPI
import ServiceKit
import Storage

/// Conversions between the generated API types and the orders domain.
enum OrderMapping {
    static func address(_ address: Components.Schemas.Address) -> Address {
        Address(
            firstName: address.firstName, lastName: address.lastName, company: address.company, email: address.email,
            phone: address.phone, line1: address.line1, line2: address.line2, line3: address.line3, city: address.city,
            region: address.region, postalCode: address.postalCode, country: address.country.rawValue
        )
    }

    /// The API form of a stored address; throws when the stored country is not a known code (a corrupt
    /// row is an error, never silently another country).
    static func address(_ address: Address) throws -> Components.Schemas.Address {
        guard let country = Components.Schemas.CountryCode(rawValue: address.country) else {
            throw StoredValueError(column: "country", value: address.country)
        }
        return Components.Schemas.Address(
            firstName: address.firstName, lastName: address.lastName, company: address.company, email: address.email,
            phone: address.phone, line1: address.line1, line2: address.line2, line3: address.line3, city: address.city,
            region: address.region, postalCode: address.postalCode, country: country
        )
    }

    static func money(_ money: Money) -> Components.Schemas.Money {
        .init(amount: money.decimal, currency: money.currency)
    }

    static func status(_ status: OrderStatus) -> Components.Schemas.OrderStatus {
        switch status {
        case .pendingConfirmation: .pendingConfirmation
        case .confirmed: .confirmed
        case .sentToWarehouse: .sentToWarehouse
        case .shipped: .shipped
        case .inTransit: .inTransit
        case .delivered: .delivered
        case .cancelled: .cancelled
        }
    }

    static func order(_ order: Order) throws -> Components.Schemas.Order {
        Components.Schemas.Order(
            id: order.id, number: order.number, customerId: order.customerId, status: status(order.status),
            lines: order.lines.map {
                .init(
                    sku: $0.sku, name: $0.name, quantity: $0.quantity, unitPrice: money($0.unitPrice),
                    lineTotal: money($0.lineTotal))
            },
            shippingAddress: try address(order.shippingAddress), billingAddress: try address(order.billingAddress),
            subtotal: money(order.subtotal), tax: money(order.tax), taxRate: percent(order.taxRateBasisPoints),
            total: money(order.total), currency: order.currency, createdAt: order.createdAt, updatedAt: order.updatedAt,
            version: order.version
        )
    }

    static func history(_ change: StatusChange) -> Components.Schemas.HistoryEntry {
        .init(
            from: change.from.map(status), to: status(change.to), at: change.at, actor: change.actor,
            reason: change.reason)
    }

    /// Basis points as a percent string: 1900 → "19", 2550 → "25.5".
    static func percent(_ basisPoints: Int) -> String {
        let whole = basisPoints / 100
        let fraction = basisPoints % 100
        if fraction == 0 { return String(whole) }
        return fraction % 10 == 0 ? "\(whole).\(fraction / 10)" : "\(whole).\(String(format: "%02d", fraction))"
    }
}
