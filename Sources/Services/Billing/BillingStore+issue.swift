import Foundation
import IntegrationEvents
import Messaging
import SQLKit
import ServiceKit
import Storage

/// Invoices issued for confirmed orders, a batch of confirmations at a time.
extension BillingStore {
    /// Issues each confirmed order's invoice, once, in the consumer's transaction `db`; none for an order
    /// cancelled before billing saw it confirmed. The batch costs the same few statements whatever its
    /// size, and the invoice series' counter row is taken once for the batch, just before the invoices
    /// are written: numbers stay gapless, and the row is held only for the end of the transaction.
    func issue(for confirmations: [Delivered<OrderConfirmed>], now: Date = .storageNow, in db: any SQLDatabase)
        async throws
    {
        let orders = try await confirmations.unhandled(
            by: \.order.orderId,
            handled: { ids in
                """
                SELECT order_id AS id FROM cancelled_orders WHERE order_id IN (\(binds: ids))
                UNION SELECT order_id FROM invoices WHERE order_id IN (\(binds: ids))
                """
            }, in: db)
        guard !orders.isEmpty else { return }
        let amounts = try orders.map { try BillingRules.lines(for: $0.event.order) }
        let numbers = try await DocumentNumber.next(
            orders.count, of: "INV", counters: "invoice_numbers", at: now, in: db)
        var invoices: [Invoice] = []
        var events: [EventEnvelope] = []
        for ((confirmation, amounts), number) in zip(zip(orders, amounts), numbers) {
            let order = confirmation.event.order
            let invoice = Invoice(
                id: UUIDv7.make(at: now), number: number, orderId: order.orderId, orderNumber: order.number,
                customerId: order.customerId, issuedAt: now, currency: order.total.currency, seller: seller,
                buyer: order.billingAddress, lines: amounts.lines, net: amounts.net, tax: amounts.tax,
                gross: amounts.gross, paid: 0, status: .issued, payments: [], creditNote: nil)
            invoices.append(invoice)
            events += try confirmation.traced {
                [try EventEnvelope(InvoiceIssued(invoice: Self.snapshot(invoice), at: now))]
            }
            OrderFlowMetrics.reached("invoiced", placedAt: order.createdAt, now: now)
        }
        try await insert(invoices, in: db)
        try await Outbox.append(events, engine: database.engine, in: db)
    }

    /// Inserts `invoices` and their lines, with one statement each.
    private func insert(_ invoices: [Invoice], in db: any SQLDatabase) async throws {
        var heads = JSONRows(columns: [
            ("o", "BIGINT"), ("id", "TEXT"), ("number", "TEXT"), ("order_id", "TEXT"), ("order_number", "TEXT"),
            ("customer_id", "TEXT"), ("issued_at", "BIGINT"), ("currency", "TEXT"), ("seller", "TEXT"),
            ("buyer", "TEXT"), ("net", "BIGINT"), ("tax", "BIGINT"), ("gross", "BIGINT"),
        ])
        var lines = JSONRows(columns: [
            ("invoice_id", "TEXT"), ("position", "BIGINT"), ("sku", "TEXT"), ("name", "TEXT"), ("quantity", "BIGINT"),
            ("unit_price", "BIGINT"), ("net", "BIGINT"), ("tax_rate_bp", "BIGINT"), ("tax", "BIGINT"),
            ("gross", "BIGINT"),
        ])
        for (index, invoice) in invoices.enumerated() {
            heads.append([
                .integer(Int64(index)), .text(invoice.id), .text(invoice.number), .text(invoice.orderId),
                .text(invoice.orderNumber), .text(invoice.customerId), .integer(invoice.issuedAt.microsecondsSince1970),
                .text(invoice.currency), .text(String(decoding: try EventCoding.encode(invoice.seller), as: UTF8.self)),
                .text(String(decoding: try EventCoding.encode(invoice.buyer), as: UTF8.self)), .integer(invoice.net),
                .integer(invoice.tax), .integer(invoice.gross),
            ])
            for (position, line) in invoice.lines.enumerated() {
                lines.append([
                    .text(invoice.id), .integer(Int64(position)), .text(line.sku), .text(line.name),
                    .integer(Int64(line.quantity)), .integer(line.unitPrice), .integer(line.net),
                    .integer(Int64(line.taxRateBasisPoints)), .integer(line.tax), .integer(line.gross),
                ])
            }
        }
        try await db.raw(
            """
            INSERT INTO invoices (id, number, order_id, order_number, customer_id, issued_at, currency, seller, buyer,
                net, tax, gross, paid, status, updated_at)
            SELECT v.id, v.number, v.order_id, v.order_number, v.customer_id, v.issued_at, v.currency, v.seller,
                v.buyer, v.net, v.tax, v.gross, 0, 'issued', v.issued_at
            FROM \(heads.source(database.engine, alias: "v")) ORDER BY v.o
            """
        ).run()
        guard lines.count > 0 else { return }
        try await db.raw(
            """
            INSERT INTO invoice_lines (invoice_id, position, sku, name, quantity, unit_price, net, tax_rate_bp, tax,
                gross)
            SELECT v.invoice_id, v.position, v.sku, v.name, v.quantity, v.unit_price, v.net, v.tax_rate_bp, v.tax,
                v.gross
            FROM \(lines.source(database.engine, alias: "v"))
            """
        ).run()
    }
}
