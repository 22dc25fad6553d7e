import Foundation
import Messaging
import SQLKit
import ServiceKit
import Storage

extension OrdersStore {
    /// The statements that insert `order` and its lines.
    func insertion(of order: Order, idempotencyKey: String?) throws -> [SQLQueryString] {
        var statements: [SQLQueryString] = [
            """
            INSERT INTO orders (id, number, customer_id, status, shipping_city_key, shipping_country, currency,
                                subtotal_minor, tax_minor, tax_rate_bp, total_minor, shipping_address, billing_address,
                                idempotency_key, created_at, updated_at, version)
            VALUES (\(bind: order.id), \(bind: order.number), \(bind: order.customerId), \(bind: order.status.rawValue),
                    \(bind: order.shippingAddress.city.lowercased()), \(bind: order.shippingAddress.country),
                    \(bind: order.currency), \(bind: order.subtotal.minorUnits), \(bind: order.tax.minorUnits),
                    \(bind: order.taxRateBasisPoints), \(bind: order.total.minorUnits),
                    \(bind: try Self.json(order.shippingAddress)), \(bind: try Self.json(order.billingAddress)),
                    \(bind: idempotencyKey), \(bind: order.createdAt.microsecondsSince1970),
                    \(bind: order.updatedAt.microsecondsSince1970), \(bind: order.version))
            """
        ]
        guard !order.lines.isEmpty else { return statements }
        let rows = order.lines.enumerated().map { position, line -> SQLQueryString in
            """
            (\(bind: order.id), \(bind: position), \(bind: line.sku), \(bind: line.name), \(bind: line.quantity),
                \(bind: line.unitPrice.minorUnits), \(bind: line.lineTotal.minorUnits))
            """
        }
        statements.append(
            """
            INSERT INTO order_lines (order_id, position, sku, name, quantity, unit_price_minor, line_total_minor)
            VALUES \(rows.joined(separator: ", "))
            """)
        return statements
    }

    func fetchIfExists(_ id: String, in db: any SQLDatabase) async throws -> Order? {
        guard let row = try await db.raw("SELECT * FROM orders WHERE id = \(bind: id)").first() else { return nil }
        let lines = try await loadLines([id], in: db)
        return try Self.order(from: row, lines: lines[id] ?? [])
    }

    func fetch(_ id: String, in db: any SQLDatabase) async throws -> Order {
        guard let order = try await fetchIfExists(id, in: db) else { throw OrderProblems.notFound(id) }
        return order
    }

    func loadLines(_ ids: [String], in db: any SQLDatabase) async throws -> [String: [OrderLine]] {
        guard !ids.isEmpty else { return [:] }
        var result: [String: [OrderLine]] = [:]
        let rows = try await db.raw(
            "SELECT * FROM order_lines WHERE order_id IN (\(binds: ids)) ORDER BY order_id, position"
        ).all()
        for row in rows {
            let currency = self.currency
            result[try row.decode(column: "order_id", as: String.self), default: []].append(
                OrderLine(
                    sku: try row.decode(column: "sku", as: String.self),
                    name: try row.decode(column: "name", as: String.self),
                    quantity: try row.decode(column: "quantity", as: Int.self),
                    unitPrice: Money(
                        minorUnits: try row.decode(column: "unit_price_minor", as: Int64.self), currency: currency),
                    lineTotal: Money(
                        minorUnits: try row.decode(column: "line_total_minor", as: Int64.self), currency: currency)
                ))
        }
        return result
    }

    static func order(from row: any SQLRow, lines: [OrderLine]) throws -> Order {
        let currency = try row.decode(column: "currency", as: String.self)
        func money(_ column: String) throws -> Money {
            Money(minorUnits: try row.decode(column: column, as: Int64.self), currency: currency)
        }
        return Order(
            id: try row.decode(column: "id", as: String.self),
            number: try row.decode(column: "number", as: String.self),
            customerId: try row.decode(column: "customer_id", as: String.self),
            status: try row.decode(enum: "status", as: OrderStatus.self),
            lines: lines,
            shippingAddress: try EventCoding.decode(
                Address.self, from: Data(try row.decode(column: "shipping_address", as: String.self).utf8)),
            billingAddress: try EventCoding.decode(
                Address.self, from: Data(try row.decode(column: "billing_address", as: String.self).utf8)),
            subtotal: try money("subtotal_minor"),
            tax: try money("tax_minor"),
            taxRateBasisPoints: try row.decode(column: "tax_rate_bp", as: Int.self),
            total: try money("total_minor"),
            createdAt: Date(microsecondsSince1970: try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Date(microsecondsSince1970: try row.decode(column: "updated_at", as: Int64.self)),
            version: try row.decode(column: "version", as: Int.self)
        )
    }

    private static func json(_ address: Address) throws -> String {
        String(decoding: try EventCoding.encode(address), as: UTF8.self)
    }
}
