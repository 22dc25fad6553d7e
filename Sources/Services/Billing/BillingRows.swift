import Foundation
import IntegrationEvents
import Messaging
import SQLKit
import Storage

/// Decodes the billing service's rows into domain types (unknown stored values throw).
enum BillingRows {
    /// The invoice in `row` with its lines, payments and credit note, read in `db`.
    static func invoice(_ row: any SQLRow, in db: any SQLDatabase) async throws -> Invoice {
        let id = try row.decode(column: "id", as: String.self)
        let lines = try await db.raw("SELECT * FROM invoice_lines WHERE invoice_id = \(bind: id) ORDER BY position")
            .all().map { line in
                InvoiceLine(
                    sku: try line.decode(column: "sku", as: String.self),
                    name: try line.decode(column: "name", as: String.self),
                    quantity: try line.decode(column: "quantity", as: Int.self),
                    unitPrice: try line.decode(column: "unit_price", as: Int64.self),
                    net: try line.decode(column: "net", as: Int64.self),
                    taxRateBasisPoints: try line.decode(column: "tax_rate_bp", as: Int.self),
                    tax: try line.decode(column: "tax", as: Int64.self),
                    gross: try line.decode(column: "gross", as: Int64.self))
            }
        let payments = try await db.raw(
            "SELECT * FROM payments WHERE invoice_id = \(bind: id) ORDER BY recorded_at, id"
        )
        .all().map { payment in
            Payment(
                id: try payment.decode(column: "id", as: String.self),
                amount: try payment.decode(column: "amount", as: Int64.self),
                method: try payment.decode(column: "method", as: String.self),
                reference: try payment.decode(column: "reference", as: String.self),
                at: date(try payment.decode(column: "at", as: Int64.self)),
                recordedAt: date(try payment.decode(column: "recorded_at", as: Int64.self)),
                actor: try payment.decode(column: "actor", as: String.self))
        }
        let note = try await db.raw("SELECT * FROM credit_notes WHERE invoice_id = \(bind: id)").first().map { note in
            CreditNote(
                id: try note.decode(column: "id", as: String.self),
                number: try note.decode(column: "number", as: String.self), invoiceId: id,
                issuedAt: date(try note.decode(column: "issued_at", as: Int64.self)),
                net: try note.decode(column: "net", as: Int64.self),
                tax: try note.decode(column: "tax", as: Int64.self),
                gross: try note.decode(column: "gross", as: Int64.self),
                reason: try note.decode(column: "reason", as: String?.self))
        }
        return Invoice(
            id: id,
            number: try row.decode(column: "number", as: String.self),
            orderId: try row.decode(column: "order_id", as: String.self),
            orderNumber: try row.decode(column: "order_number", as: String.self),
            customerId: try row.decode(column: "customer_id", as: String.self),
            issuedAt: date(try row.decode(column: "issued_at", as: Int64.self)),
            currency: try row.decode(column: "currency", as: String.self),
            seller: try EventCoding.decode(
                Seller.self, from: Data(try row.decode(column: "seller", as: String.self).utf8)),
            buyer: try EventCoding.decode(
                PostalAddress.self, from: Data(try row.decode(column: "buyer", as: String.self).utf8)),
            lines: lines,
            net: try row.decode(column: "net", as: Int64.self),
            tax: try row.decode(column: "tax", as: Int64.self),
            gross: try row.decode(column: "gross", as: Int64.self),
            paid: try row.decode(column: "paid", as: Int64.self),
            status: try row.decode(enum: "status"),
            payments: payments, creditNote: note)
    }

    private static func date(_ microseconds: Int64) -> Date { Date(microsecondsSince1970: microseconds) }
}
