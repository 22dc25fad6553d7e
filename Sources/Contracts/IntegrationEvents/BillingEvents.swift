import Foundation

/// An invoice as billing's events carry it.
public struct InvoiceSnapshot: Codable, Sendable, Equatable {
    public var invoiceId: String
    public var number: String
    public var orderId: String
    public var orderNumber: String
    public var customerId: String
    public var status: String
    public var net: MoneyAmount
    public var tax: MoneyAmount
    public var gross: MoneyAmount
    public var paid: MoneyAmount
    public var issuedAt: Date

    public init(
        invoiceId: String, number: String, orderId: String, orderNumber: String, customerId: String, status: String,
        net: MoneyAmount, tax: MoneyAmount, gross: MoneyAmount, paid: MoneyAmount, issuedAt: Date
    ) {
        self.invoiceId = invoiceId
        self.number = number
        self.orderId = orderId
        self.orderNumber = orderNumber
        self.customerId = customerId
        self.status = status
        self.net = net
        self.tax = tax
        self.gross = gross
        self.paid = paid
        self.issuedAt = issuedAt
    }
}

/// `invoice.issued`: a confirmed order's invoice exists.
public struct InvoiceIssued: IntegrationEvent, Equatable {
    public static let type = "invoice.issued"
    public static let source = "/billing"
    public var invoice: InvoiceSnapshot
    public var at: Date
    public var subject: String { invoice.invoiceId }

    public init(invoice: InvoiceSnapshot, at: Date) {
        self.invoice = invoice
        self.at = at
    }
}

/// `invoice.paid`: the invoice's payments reached its total.
public struct InvoicePaid: IntegrationEvent, Equatable {
    public static let type = "invoice.paid"
    public static let source = "/billing"
    public var invoice: InvoiceSnapshot
    public var at: Date
    public var subject: String { invoice.invoiceId }

    public init(invoice: InvoiceSnapshot, at: Date) {
        self.invoice = invoice
        self.at = at
    }
}

/// `invoice.credited`: a credit note reversed the invoice (its order was cancelled).
public struct InvoiceCredited: IntegrationEvent, Equatable {
    public static let type = "invoice.credited"
    public static let source = "/billing"
    public var invoice: InvoiceSnapshot
    public var creditNoteId: String
    public var creditNoteNumber: String
    public var at: Date
    public var subject: String { invoice.invoiceId }

    public init(invoice: InvoiceSnapshot, creditNoteId: String, creditNoteNumber: String, at: Date) {
        self.invoice = invoice
        self.creditNoteId = creditNoteId
        self.creditNoteNumber = creditNoteNumber
        self.at = at
    }
}
