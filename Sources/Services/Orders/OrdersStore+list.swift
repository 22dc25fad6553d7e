import Foundation
import SQLKit
import ServiceKit
import Storage

/// What an order listing may be narrowed to.
public struct OrderFilter: Sendable {
    public var status: OrderStatus?
    /// The order's number, exact (as the orders service writes it, upper case).
    public var number: String?
    public var customerId: String?
    public var shippingCity: String?
    public var shippingCountry: String?
    public var from: Date?
    public var to: Date?

    public init(
        status: OrderStatus? = nil, number: String? = nil, customerId: String? = nil, shippingCity: String? = nil,
        shippingCountry: String? = nil,
        from: Date? = nil, to: Date? = nil
    ) {
        self.status = status
        self.number = number
        self.customerId = customerId
        self.shippingCity = shippingCity
        self.shippingCountry = shippingCountry
        self.from = from
        self.to = to
    }
}

extension OrdersStore {
    /// One page of orders, newest first; the cursor is (created_at, id), so pages stay stable while
    /// new orders arrive.
    public func list(_ filter: OrderFilter, page: PageRequest) async throws -> Page<Order> {
        var conditions: [SQLQueryString] = ["1 = 1"]
        if page.after.count == 2, let createdAt = Int64(page.after[0]) {
            let id = page.after[1]
            conditions.append(
                "(created_at < \(bind: createdAt) OR (created_at = \(bind: createdAt) AND id < \(bind: id)))")
        }
        if let status = filter.status { conditions.append("status = \(bind: status.rawValue)") }
        if let number = filter.number { conditions.append("number = \(bind: number.uppercased())") }
        if let customerId = filter.customerId { conditions.append("customer_id = \(bind: customerId)") }
        if let city = filter.shippingCity {
            conditions.append("shipping_city_key = \(bind: city.trimmingCharacters(in: .whitespaces).lowercased())")
        }
        if let country = filter.shippingCountry {
            conditions.append("shipping_country = \(bind: country.uppercased())")
        }
        if let from = filter.from { conditions.append("created_at >= \(bind: from.microsecondsSince1970)") }
        if let to = filter.to { conditions.append("created_at < \(bind: to.microsecondsSince1970)") }
        let whereClause = conditions.joined(separator: " AND ")
        return try await database.read { db in
            let rows = try await db.raw(
                "SELECT * FROM orders WHERE \(whereClause) ORDER BY created_at DESC, id DESC LIMIT \(bind: page.limit + 1)"
            ).all()
            let ids = try rows.map { try $0.decode(column: "id", as: String.self) }
            let lines = try await loadLines(Array(ids.prefix(page.limit)), in: db)
            let orders = try rows.map { row in
                let id = try row.decode(column: "id", as: String.self)
                return try Self.order(from: row, lines: lines[id] ?? [])
            }
            return Page(fetched: orders, limit: page.limit) { [String($0.createdAt.microsecondsSince1970), $0.id] }
        }
    }
}
