import Foundation
import IntegrationEvents
import SQLKit
import ServiceKit
import Storage

/// The sales service's read model: every confirmed order with its lines, marked when cancelled or
/// delivered. Built from events only (never by asking other services); each event applies once (the
/// inbox), and a cancellation seen before its confirmation keeps the order out.
public struct SalesStore: Sendable {
    public let database: Database
    /// The store currency (amounts are in it).
    public let currency: String

    public init(database: Database, currency: String = "EUR") {
        self.database = database
        self.currency = currency
    }

    func record(_ event: OrderConfirmed, in db: any SQLDatabase) async throws {
        let order = event.order
        guard
            try await db.raw("SELECT order_id FROM cancelled_orders WHERE order_id = \(bind: order.orderId)").first()
                == nil
        else { return }
        func minor(_ amount: MoneyAmount) throws -> Int64 {
            guard let money = Money(decimal: amount.amount, currency: amount.currency) else {
                throw BadAmount(orderId: order.orderId, amount: amount.amount)
            }
            return money.minorUnits
        }
        let at = event.at.microsecondsSince1970
        let inserted = try await db.raw(
            """
            INSERT INTO sales_orders (order_id, number, customer_id, country, currency, net, tax, gross, confirmed_at)
            VALUES (\(bind: order.orderId), \(bind: order.number), \(bind: order.customerId),
                \(bind: order.shippingAddress.country), \(bind: order.total.currency), \(bind: try minor(order.subtotal)),
                \(bind: try minor(order.tax)), \(bind: try minor(order.total)), \(bind: at))
            ON CONFLICT (order_id) DO NOTHING RETURNING order_id
            """
        ).first()
        guard inserted != nil else { return }
        guard !order.lines.isEmpty else { return }
        let rows = try order.lines.enumerated().map { position, line -> SQLQueryString in
            """
            (\(bind: order.orderId), \(bind: position), \(bind: line.sku.uppercased()), \(bind: line.name),
                \(bind: line.quantity), \(bind: try minor(line.lineTotal)), \(bind: at))
            """
        }
        try await db.raw(
            """
            INSERT INTO sales_lines (order_id, position, sku, name, quantity, net, confirmed_at)
            VALUES \(rows.joined(separator: ", "))
            """
        ).run()
    }

    func record(_ event: OrderCancelled, in db: any SQLDatabase) async throws {
        let at = event.at.microsecondsSince1970
        try await db.raw(
            """
            INSERT INTO cancelled_orders (order_id, at) VALUES (\(bind: event.order.orderId), \(bind: at))
            ON CONFLICT (order_id) DO NOTHING
            """
        ).run()
        try await db.raw(
            "UPDATE sales_orders SET cancelled_at = \(bind: at) WHERE order_id = \(bind: event.order.orderId) AND cancelled_at IS NULL"
        ).run()
    }

    func record(_ event: ShipmentDelivered, in db: any SQLDatabase) async throws {
        try await db.raw(
            """
            UPDATE sales_orders SET delivered_at = \(bind: event.at.microsecondsSince1970)
            WHERE order_id = \(bind: event.shipment.orderId)
                AND (delivered_at IS NULL OR delivered_at < \(bind: event.at.microsecondsSince1970))
            """
        ).run()
    }

    /// Per SKU: units and net revenue of the orders confirmed in `period` and not cancelled, largest net first.
    public func soldItems(_ period: ReportPeriod) async throws -> [SoldItem] {
        let range = Self.range(period, column: "l.confirmed_at")
        return try await database.read { db in
            try await db.raw(
                """
                SELECT l.sku, MIN(l.name) AS name, CAST(SUM(l.quantity) AS BIGINT) AS quantity,
                    CAST(SUM(l.net) AS BIGINT) AS net, COUNT(DISTINCT l.order_id) AS orders
                FROM sales_lines l JOIN sales_orders o ON o.order_id = l.order_id
                WHERE o.cancelled_at IS NULL AND \(range)
                GROUP BY l.sku ORDER BY net DESC, l.sku
                """
            ).all().map { row in
                SoldItem(
                    sku: try row.decode(column: "sku", as: String.self),
                    name: try row.decode(column: "name", as: String.self),
                    quantity: try row.decode(column: "quantity", as: Int.self),
                    net: try row.decode(column: "net", as: Int64.self),
                    orders: try row.decode(column: "orders", as: Int.self))
            }
        }
    }

    /// The orders confirmed in `period` and not cancelled (for the revenue reports).
    public func orders(_ period: ReportPeriod) async throws -> [SalesOrder] {
        let range = Self.range(period, column: "confirmed_at")
        return try await database.read { db in
            try await db.raw(
                "SELECT confirmed_at, country, net, tax, gross FROM sales_orders WHERE cancelled_at IS NULL AND \(range)"
            ).all().map { row in
                SalesOrder(
                    confirmedAt: Date(microsecondsSince1970: try row.decode(column: "confirmed_at", as: Int64.self)),
                    country: try row.decode(column: "country", as: String.self),
                    net: try row.decode(column: "net", as: Int64.self),
                    tax: try row.decode(column: "tax", as: Int64.self),
                    gross: try row.decode(column: "gross", as: Int64.self))
            }
        }
    }

    private static func range(_ period: ReportPeriod, column: String) -> SQLQueryString {
        var conditions: [SQLQueryString] = ["1 = 1"]
        if let from = period.from { conditions.append("\(unsafeRaw: column) >= \(bind: from.microsecondsSince1970)") }
        if let to = period.to { conditions.append("\(unsafeRaw: column) < \(bind: to.microsecondsSince1970)") }
        return conditions.joined(separator: " AND ")
    }

    struct BadAmount: Error {
        let orderId: String
        let amount: String
    }
}
