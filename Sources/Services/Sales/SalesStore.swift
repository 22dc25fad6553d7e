import Foundation
import IntegrationEvents
import Messaging
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

    /// Records each confirmed order and its lines once, in the consumer's transaction `db`, with three
    /// statements whatever the batch's size; none for an order cancelled before sales saw it confirmed.
    func record(_ confirmations: [Delivered<OrderConfirmed>], in db: any SQLDatabase) async throws {
        let confirmed = try await confirmations.unhandled(
            by: \.order.orderId,
            handled: { ids in "SELECT order_id AS id FROM cancelled_orders WHERE order_id IN (\(binds: ids))" }, in: db)
        var orders = JSONRows(columns: [
            ("order_id", "TEXT"), ("number", "TEXT"), ("customer_id", "TEXT"), ("country", "TEXT"),
            ("currency", "TEXT"),
            ("net", "BIGINT"), ("tax", "BIGINT"), ("gross", "BIGINT"), ("confirmed_at", "BIGINT"),
        ])
        var lines = JSONRows(columns: [
            ("order_id", "TEXT"), ("position", "BIGINT"), ("sku", "TEXT"), ("name", "TEXT"), ("quantity", "BIGINT"),
            ("net", "BIGINT"), ("confirmed_at", "BIGINT"),
        ])
        for confirmation in confirmed {
            let order = confirmation.event.order
            func minor(_ amount: MoneyAmount) throws -> Int64 {
                guard let money = Money(decimal: amount.amount, currency: amount.currency) else {
                    throw BadAmount(orderId: order.orderId, amount: amount.amount)
                }
                return money.minorUnits
            }
            let at = confirmation.event.at.microsecondsSince1970
            orders.append([
                .text(order.orderId), .text(order.number), .text(order.customerId),
                .text(order.shippingAddress.country),
                .text(order.total.currency), .integer(try minor(order.subtotal)), .integer(try minor(order.tax)),
                .integer(try minor(order.total)), .integer(at),
            ])
            for (position, line) in order.lines.enumerated() {
                lines.append([
                    .text(order.orderId), .integer(Int64(position)), .text(line.sku.uppercased()), .text(line.name),
                    .integer(Int64(line.quantity)), .integer(try minor(line.lineTotal)), .integer(at),
                ])
            }
        }
        guard orders.count > 0 else { return }
        let inserted = Set(
            try await db.raw(
                """
                INSERT INTO sales_orders (order_id, number, customer_id, country, currency, net, tax, gross, confirmed_at)
                SELECT v.order_id, v.number, v.customer_id, v.country, v.currency, v.net, v.tax, v.gross, v.confirmed_at
                FROM \(orders.source(database.engine, alias: "v")) WHERE true
                ON CONFLICT (order_id) DO NOTHING RETURNING order_id
                """
            ).all().map { try $0.decode(column: "order_id", as: String.self) })
        guard !inserted.isEmpty, lines.count > 0 else { return }
        // Only the lines of the orders recorded now: an order recorded before keeps the lines it has.
        try await db.raw(
            """
            INSERT INTO sales_lines (order_id, position, sku, name, quantity, net, confirmed_at)
            SELECT v.order_id, v.position, v.sku, v.name, v.quantity, v.net, v.confirmed_at
            FROM \(lines.source(database.engine, alias: "v")) WHERE v.order_id IN (\(binds: inserted.sorted()))
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
