import Foundation
import SQLKit
import ServiceKit
import Storage

/// Which shipments to list.
public struct ShipmentFilter: Sendable, Equatable {
    public var orderId: String?
    public var status: ShipmentStatus?
    /// Set for customers: only their own.
    public var customerId: String?

    public init(orderId: String? = nil, status: ShipmentStatus? = nil, customerId: String? = nil) {
        self.orderId = orderId
        self.status = status
        self.customerId = customerId
    }
}

extension ShippingStore {
    /// Shipments matching `filter`, newest first, keyset-paged on (shipped at, id).
    public func list(_ filter: ShipmentFilter, page: PageRequest) async throws -> Page<Shipment> {
        var conditions: [SQLQueryString] = ["1 = 1"]
        if let orderId = filter.orderId { conditions.append("order_id = \(bind: orderId)") }
        if let status = filter.status { conditions.append("status = \(bind: status.rawValue)") }
        if let customerId = filter.customerId { conditions.append("customer_id = \(bind: customerId)") }
        if page.after.count == 2, let at = Int64(page.after[0]) {
            conditions.append(
                "(shipped_at < \(bind: at) OR (shipped_at = \(bind: at) AND id < \(bind: page.after[1])))")
        }
        let condition = conditions.joined(separator: " AND ")
        return try await database.read { db in
            var shipments: [Shipment] = []
            for row in try await db.raw(
                "SELECT * FROM shipments WHERE \(condition) ORDER BY shipped_at DESC, id DESC LIMIT \(bind: page.limit + 1)"
            ).all() {
                shipments.append(try await ShippingRows.shipment(row, in: db))
            }
            return Page(fetched: shipments, limit: page.limit) { [String($0.shippedAt.microsecondsSince1970), $0.id] }
        }
    }

    /// Shipment `id`, or `nil`.
    public func shipment(_ id: String) async throws -> Shipment? {
        try await database.read { db in
            guard let row = try await db.raw("SELECT * FROM shipments WHERE id = \(bind: id)").first() else {
                return nil
            }
            return try await ShippingRows.shipment(row, in: db)
        }
    }
}
