import BillingAPI
import Foundation
import IntegrationEvents
import ServiceKit

/// Maps billing's domain types to the generated API types.
enum BillingMapping {
    /// Basis points as a percent: 1900 → "19", 810 → "8.1", 1234 → "12.34".
    static func percent(_ basisPoints: Int) -> String {
        let whole = basisPoints / 100
        let fraction = basisPoints % 100
        guard fraction != 0 else { return String(whole) }
        let digits = String(format: "%02d", fraction)
        return "\(whole).\(digits.hasSuffix("0") ? String(digits.dropLast()) : digits)"
    }

    static func money(_ minor: Int64, _ currency: String) -> Components.Schemas.Money {
        .init(amount: Money(minorUnits: minor, currency: currency).decimal, currency: currency)
    }

    static func invoice(_ invoice: Invoice) -> Components.Schemas.Invoice {
        let currency = invoice.currency
        return .init(
            id: invoice.id, number: invoice.number, orderId: invoice.orderId, orderNumber: invoice.orderNumber,
            customerId: invoice.customerId, issuedAt: invoice.issuedAt,
            status: Components.Schemas.InvoiceStatus(rawValue: invoice.status.rawValue) ?? .issued,
            seller: .init(name: invoice.seller.name, address: invoice.seller.address, vatId: invoice.seller.vatId),
            buyer: address(invoice.buyer),
            lines: invoice.lines.map { line in
                .init(
                    sku: line.sku, name: line.name, quantity: line.quantity, unitPrice: money(line.unitPrice, currency),
                    net: money(line.net, currency), taxRate: percent(line.taxRateBasisPoints),
                    tax: money(line.tax, currency), gross: money(line.gross, currency))
            },
            net: money(invoice.net, currency), tax: money(invoice.tax, currency), gross: money(invoice.gross, currency),
            paid: money(invoice.paid, currency), balance: money(invoice.balance, currency),
            payments: invoice.payments.map { payment in
                .init(
                    id: payment.id, amount: money(payment.amount, currency), method: payment.method,
                    reference: payment.reference, at: payment.at, recordedAt: payment.recordedAt)
            },
            creditNote: invoice.creditNote.map { note in
                .init(
                    id: note.id, number: note.number, issuedAt: note.issuedAt, net: money(note.net, currency),
                    tax: money(note.tax, currency), gross: money(note.gross, currency), reason: note.reason)
            })
    }

    static func address(_ address: PostalAddress) -> Components.Schemas.Address {
        .init(
            firstName: address.firstName, lastName: address.lastName, company: address.company, email: address.email,
            phone: address.phone, line1: address.line1, line2: address.line2, line3: address.line3, city: address.city,
            region: address.region, postalCode: address.postalCode, country: address.country)
    }
}
