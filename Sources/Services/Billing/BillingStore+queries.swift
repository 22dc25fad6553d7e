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
    public var invoiceId: String
    public var number: String
    public var orderId: String
    public var orderNumber: String
    public var customerId: String
    public var issuedAt: Date
    public var currency: String
    public var gross: Int64
    public var balance: Int64
    /// `0-30`, `31-60`, `61-90` or `90+` days since issue.
    public var bucket: String
}

/// What is owed in one age bucket: its invoices and their open balance.
public struct ReceivableTotal: Sendable, Equatable {
    public var bucket: String
    public var invoices: Int
    public var balance: Int64
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

    /// The invoices not yet paid or credited, oldest first (at most `limit`), with their balance and age
    /// bucket at `now`; and the totals per bucket over all of them, counted by the database (a hundred
    /// thousand open invoices are not read for four sums).
    public func receivables(now: Date = Date(), limit: Int? = nil) async throws -> (
        items: [Receivable], totals: [ReceivableTotal]
    ) {
        let day: Int64 = 86_400_000_000
        let at = now.microsecondsSince1970
        return try await database.read { db in
            let rows = try await db.raw(
                """
                SELECT id, number, order_id, order_number, customer_id, issued_at, currency, gross, paid FROM invoices
                WHERE status IN ('issued', 'partially_paid') ORDER BY issued_at, id
                \(unsafeRaw: limit.map { "LIMIT \($0)" } ?? "")
                """
            ).all()
            let items = try rows.map { row in
                let issuedAt = Date(microsecondsSince1970: try row.decode(column: "issued_at", as: Int64.self))
                let gross = try row.decode(column: "gross", as: Int64.self)
                return Receivable(
                    invoiceId: try row.decode(column: "id", as: String.self),
                    number: try row.decode(column: "number", as: String.self),
                    orderId: try row.decode(column: "order_id", as: String.self),
                    orderNumber: try row.decode(column: "order_number", as: String.self),
                    customerId: try row.decode(column: "customer_id", as: String.self), issuedAt: issuedAt,
                    currency: try row.decode(column: "currency", as: String.self), gross: gross,
                    balance: gross - (try row.decode(column: "paid", as: Int64.self)),
                    bucket: BillingRules.ageBucket(issuedAt: issuedAt, now: now))
            }
            // A bucket's days since issue, as issue times: 30 days or fewer is issued after now - 31 days.
            let sums = try await db.raw(
                """
                SELECT CASE WHEN issued_at > \(bind: at - 31 * day) THEN '0-30'
                    WHEN issued_at > \(bind: at - 61 * day) THEN '31-60'
                    WHEN issued_at > \(bind: at - 91 * day) THEN '61-90' ELSE '90+' END AS bucket,
                    COUNT(*) AS invoices, CAST(SUM(gross - paid) AS BIGINT) AS balance
                FROM invoices WHERE status IN ('issued', 'partially_paid') GROUP BY 1
                """
            ).all()
            var totals = Dictionary(
                uniqueKeysWithValues: BillingRules.ageBuckets.map {
                    ($0, ReceivableTotal(bucket: $0, invoices: 0, balance: 0))
                })
            for row in sums {
                let bucket = try row.decode(column: "bucket", as: String.self)
                totals[bucket] = ReceivableTotal(
                    bucket: bucket, invoices: try row.decode(column: "invoices", as: Int.self),
                    balance: try row.decode(column: "balance", as: Int64.self))
            }
            return (items, BillingRules.ageBuckets.compactMap { totals[$0] })
        }
    }
}
