import Foundation
import SQLKit
import ServiceKit
import Storage

/// Which invoices to list.
public struct InvoiceFilter: Sendable, Equatable {
    public var orderId: String?
    public var status: InvoiceStatus?
    /// Set for customers: only their own.
    public var customerId: String?
    /// Issued at or after `from`, before `to`.
    public var from: Date?
    public var to: Date?

    public init(
        orderId: String? = nil, status: InvoiceStatus? = nil, customerId: String? = nil, from: Date? = nil,
        to: Date? = nil
    ) {
        self.orderId = orderId
        self.status = status
        self.customerId = customerId
        self.from = from
        self.to = to
    }
}

/// An open invoice with what is still owed and how old it is.
public struct Receivable: Sendable, Equatable {
    public var invoice: Invoice
    public var balance: Int64
    /// `0-30`, `31-60`, `61-90` or `90+` days since issue.
    public var bucket: String
}

extension BillingStore {
    /// Invoices matching `filter`, newest first, keyset-paged on (issued at, id).
    public func list(_ filter: InvoiceFilter, page: PageRequest) async throws -> Page<Invoice> {
        var conditions: [SQLQueryString] = ["1 = 1"]
        if let orderId = filter.orderId { conditions.append("order_id = \(bind: orderId)") }
        if let status = filter.status { conditions.append("status = \(bind: status.rawValue)") }
        if let customerId = filter.customerId { conditions.append("customer_id = \(bind: customerId)") }
        if let from = filter.from { conditions.append("issued_at >= \(bind: from.microsecondsSince1970)") }
        if let to = filter.to { conditions.append("issued_at < \(bind: to.microsecondsSince1970)") }
        if page.after.count == 2, let at = Int64(page.after[0]) {
            conditions.append("(issued_at < \(bind: at) OR (issued_at = \(bind: at) AND id < \(bind: page.after[1])))")
        }
        let condition = conditions.joined(separator: " AND ")
        return try await database.read { db in
            var invoices: [Invoice] = []
            for row in try await db.raw(
                "SELECT * FROM invoices WHERE \(condition) ORDER BY issued_at DESC, id DESC LIMIT \(bind: page.limit + 1)"
            ).all() {
                invoices.append(try await BillingRows.invoice(row, in: db))
            }
            return Page(fetched: invoices, limit: page.limit) { [String($0.issuedAt.microsecondsSince1970), $0.id] }
        }
    }

    /// Invoice `id`, or `nil`.
    public func invoice(_ id: String) async throws -> Invoice? {
        try await database.read { db in
            guard let row = try await db.raw("SELECT * FROM invoices WHERE id = \(bind: id)").first() else {
                return nil
            }
            return try await BillingRows.invoice(row, in: db)
        }
    }

    /// Every invoice not yet paid or credited, oldest first, with its balance and age bucket at `now`.
    public func receivables(now: Date = Date()) async throws -> [Receivable] {
        try await database.read { db in
            var open: [Receivable] = []
            for row in try await db.raw(
                "SELECT * FROM invoices WHERE status IN ('issued', 'partially_paid') ORDER BY issued_at, id"
            ).all() {
                let invoice = try await BillingRows.invoice(row, in: db)
                open.append(
                    Receivable(
                        invoice: invoice, balance: invoice.balance,
                        bucket: BillingRules.ageBucket(issuedAt: invoice.issuedAt, now: now)))
            }
            return open
        }
    }
}
