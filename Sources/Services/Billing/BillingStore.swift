import Foundation
import IntegrationEvents
import Messaging
import SQLKit
import ServiceKit
import Storage

/// The billing service's tables: invoices with their lines, payments and credit notes, and one
/// numbering table per series. A document and its number are stored in one transaction (no gaps, no
/// repeats), and each change and its event commit together (the outbox).
public struct BillingStore: Sendable {
    public let database: Database
    public let seller: Seller
    /// The store currency (for empty reports).
    public let currency: String

    public init(database: Database, seller: Seller, currency: String = "EUR") {
        self.database = database
        self.seller = seller
        self.currency = currency
    }

    /// Reverses the order's invoice with a credit note, once; remembers the order, so a late confirmation
    /// issues no invoice.
    func credit(orderId: String, reason: String?, now: Date = .storageNow, in db: any SQLDatabase) async throws {
        try await db.raw(
            """
            INSERT INTO cancelled_orders (order_id, at) VALUES (\(bind: orderId), \(bind: now.microsecondsSince1970))
            ON CONFLICT (order_id) DO NOTHING
            """
        ).run()
        guard
            let row = try await db.raw(
                "SELECT * FROM invoices WHERE order_id = \(bind: orderId) \(unsafeRaw: database.engine.rowLockClause)"
            ).first()
        else { return }
        var invoice = try await BillingRows.invoice(row, in: db)
        guard invoice.status != .credited else { return }
        let note = BillingRules.creditNote(
            for: invoice, id: UUIDv7.make(at: now),
            number: try await DocumentNumber.next("CN", counters: "credit_note_numbers", at: now, in: db),
            reason: reason, at: now)
        try await db.raw(
            """
            INSERT INTO credit_notes (id, number, invoice_id, issued_at, net, tax, gross, reason)
            VALUES (\(bind: note.id), \(bind: note.number), \(bind: invoice.id), \(bind: now.microsecondsSince1970),
                \(bind: note.net), \(bind: note.tax), \(bind: note.gross), \(bind: note.reason))
            """
        ).run()
        try await db.raw(
            """
            UPDATE invoices SET status = 'credited', updated_at = \(bind: now.microsecondsSince1970)
            WHERE id = \(bind: invoice.id)
            """
        ).run()
        invoice.status = .credited
        invoice.creditNote = note
        try await Outbox.append(
            InvoiceCredited(
                invoice: Self.snapshot(invoice), creditNoteId: note.id, creditNoteNumber: note.number, at: now),
            in: db)
    }

    /// Records a payment of `amount` on invoice `id` (see ``BillingRules/record``); 404 when unknown.
    public func recordPayment(
        _ id: String, amount: Money, method: String, reference: String, at: Date?, actor: String,
        now: Date = .storageNow
    ) async throws -> Invoice {
        try await database.transaction { db in
            guard
                let row = try await db.raw(
                    "SELECT * FROM invoices WHERE id = \(bind: id) \(unsafeRaw: database.engine.rowLockClause)"
                ).first()
            else { throw BillingProblems.notFound(id) }
            var invoice = try await BillingRows.invoice(row, in: db)
            guard amount.currency == invoice.currency else {
                throw BillingProblems.currencyMismatch(id, currency: invoice.currency)
            }
            let payment = Payment(
                id: UUIDv7.make(at: now), amount: amount.minorUnits, method: method, reference: reference,
                at: at ?? now, recordedAt: now, actor: actor)
            try BillingRules.record(payment, on: &invoice)
            try await db.raw(
                """
                INSERT INTO payments (id, invoice_id, amount, method, reference, at, recorded_at, actor)
                VALUES (\(bind: payment.id), \(bind: id), \(bind: payment.amount), \(bind: method), \(bind: reference),
                    \(bind: payment.at.microsecondsSince1970), \(bind: now.microsecondsSince1970), \(bind: actor))
                """
            ).run()
            try await db.raw(
                """
                UPDATE invoices SET paid = \(bind: invoice.paid), status = \(bind: invoice.status.rawValue),
                    updated_at = \(bind: now.microsecondsSince1970) WHERE id = \(bind: id)
                """
            ).run()
            if invoice.status == .paid {
                try await Outbox.append(InvoicePaid(invoice: Self.snapshot(invoice), at: now), in: db)
            }
            return invoice
        }
    }

    static func snapshot(_ invoice: Invoice) -> InvoiceSnapshot {
        func amount(_ minor: Int64) -> MoneyAmount {
            MoneyAmount(
                amount: Money(minorUnits: minor, currency: invoice.currency).decimal, currency: invoice.currency)
        }
        return InvoiceSnapshot(
            invoiceId: invoice.id, number: invoice.number, orderId: invoice.orderId, orderNumber: invoice.orderNumber,
            customerId: invoice.customerId, status: invoice.status.rawValue, net: amount(invoice.net),
            tax: amount(invoice.tax), gross: amount(invoice.gross), paid: amount(invoice.paid),
            issuedAt: invoice.issuedAt)
    }
}
