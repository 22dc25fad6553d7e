import Foundation
import IntegrationEvents
import ServiceKit

/// Who sells: printed on every invoice (from configuration).
public struct Seller: Sendable, Equatable, Codable {
    public var name: String
    public var address: String
    public var vatId: String

    public init(name: String, address: String, vatId: String) {
        self.name = name
        self.address = address
        self.vatId = vatId
    }
}

/// One invoiced line; amounts in minor units of the invoice's currency.
public struct InvoiceLine: Sendable, Equatable {
    public var sku: String
    public var name: String
    public var quantity: Int
    public var unitPrice: Int64
    public var net: Int64
    /// Basis points: 1900 is 19 %.
    public var taxRateBasisPoints: Int
    public var tax: Int64
    public var gross: Int64

    public init(
        sku: String, name: String, quantity: Int, unitPrice: Int64, net: Int64, taxRateBasisPoints: Int, tax: Int64,
        gross: Int64
    ) {
        self.sku = sku
        self.name = name
        self.quantity = quantity
        self.unitPrice = unitPrice
        self.net = net
        self.taxRateBasisPoints = taxRateBasisPoints
        self.tax = tax
        self.gross = gross
    }
}

/// Where an invoice stands with its payments.
public enum InvoiceStatus: String, Sendable, CaseIterable, Codable {
    case issued
    case partiallyPaid = "partially_paid"
    case paid
    /// Reversed in full by a credit note (its order was cancelled).
    case credited
}

/// A payment recorded against an invoice.
public struct Payment: Sendable, Equatable {
    public var id: String
    public var amount: Int64
    public var method: String
    public var reference: String
    /// When the money arrived, as staff say; `recordedAt` when it was entered.
    public var at: Date
    public var recordedAt: Date
    public var actor: String

    public init(id: String, amount: Int64, method: String, reference: String, at: Date, recordedAt: Date, actor: String)
    {
        self.id = id
        self.amount = amount
        self.method = method
        self.reference = reference
        self.at = at
        self.recordedAt = recordedAt
        self.actor = actor
    }
}

/// The credit note that reverses an invoice in full (amounts negative).
public struct CreditNote: Sendable, Equatable {
    public var id: String
    public var number: String
    public var invoiceId: String
    public var issuedAt: Date
    public var net: Int64
    public var tax: Int64
    public var gross: Int64
    public var reason: String?

    public init(
        id: String, number: String, invoiceId: String, issuedAt: Date, net: Int64, tax: Int64, gross: Int64,
        reason: String?
    ) {
        self.id = id
        self.number = number
        self.invoiceId = invoiceId
        self.issuedAt = issuedAt
        self.net = net
        self.tax = tax
        self.gross = gross
        self.reason = reason
    }
}

/// An invoice: issued once per confirmed order and never changed; payments and a credit note are
/// recorded next to it.
public struct Invoice: Sendable, Equatable {
    public var id: String
    public var number: String
    public var orderId: String
    public var orderNumber: String
    public var customerId: String
    public var issuedAt: Date
    public var currency: String
    public var seller: Seller
    public var buyer: PostalAddress
    public var lines: [InvoiceLine]
    public var net: Int64
    public var tax: Int64
    public var gross: Int64
    public var paid: Int64
    public var status: InvoiceStatus
    public var payments: [Payment]
    public var creditNote: CreditNote?

    public init(
        id: String, number: String, orderId: String, orderNumber: String, customerId: String, issuedAt: Date,
        currency: String, seller: Seller, buyer: PostalAddress, lines: [InvoiceLine], net: Int64, tax: Int64,
        gross: Int64, paid: Int64, status: InvoiceStatus, payments: [Payment], creditNote: CreditNote?
    ) {
        self.id = id
        self.number = number
        self.orderId = orderId
        self.orderNumber = orderNumber
        self.customerId = customerId
        self.issuedAt = issuedAt
        self.currency = currency
        self.seller = seller
        self.buyer = buyer
        self.lines = lines
        self.net = net
        self.tax = tax
        self.gross = gross
        self.paid = paid
        self.status = status
        self.payments = payments
        self.creditNote = creditNote
    }

    /// What is still owed (never below zero: overpayment is refused).
    public var balance: Int64 { status == .credited ? 0 : gross - paid }
}
