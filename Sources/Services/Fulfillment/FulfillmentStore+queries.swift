import Foundation
import SQLKit
import ServiceKit
import Storage

/// Which slips to list.
public struct SlipFilter: Sendable, Equatable {
    public var warehouse: String?
    public var status: SlipStatus?
    public var orderId: String?
    /// Set for customers: only their own orders' slips.
    public var customerId: String?

    public init(warehouse: String? = nil, status: SlipStatus? = nil, orderId: String? = nil, customerId: String? = nil)
    {
        self.warehouse = warehouse
        self.status = status
        self.orderId = orderId
        self.customerId = customerId
    }
}

/// One line of a warehouse's pick list: a bin and SKU, and how many to take for all open slips.
public struct PickLine: Sendable, Equatable {
    public var bin: String?
    public var sku: String
    public var name: String
    public var quantity: Int
    /// How many open slips need it.
    public var slips: Int
}

extension FulfillmentStore {
    /// Slips matching `filter`, newest first, keyset-paged on (created at, id).
    public func list(_ filter: SlipFilter, page: PageRequest) async throws -> Page<PackingSlip> {
        var conditions: [SQLQueryString] = ["1 = 1"]
        if let warehouse = filter.warehouse { conditions.append("warehouse = \(bind: warehouse.uppercased())") }
        if let status = filter.status { conditions.append("status = \(bind: status.rawValue)") }
        if let orderId = filter.orderId { conditions.append("order_id = \(bind: orderId)") }
        if let customerId = filter.customerId { conditions.append("customer_id = \(bind: customerId)") }
        if page.after.count == 2, let at = Int64(page.after[0]) {
            conditions.append(
                "(created_at < \(bind: at) OR (created_at = \(bind: at) AND id < \(bind: page.after[1])))")
        }
        let condition = conditions.joined(separator: " AND ")
        return try await database.read { db in
            var slips: [PackingSlip] = []
            for row in try await db.raw(
                "SELECT * FROM packing_slips WHERE \(condition) ORDER BY created_at DESC, id DESC LIMIT \(bind: page.limit + 1)"
            ).all() {
                slips.append(try await FulfillmentRows.slip(row, in: db))
            }
            return Page(fetched: slips, limit: page.limit) { [String($0.createdAt.microsecondsSince1970), $0.id] }
        }
    }

    /// Slip `id`, or `nil`.
    public func slip(_ id: String) async throws -> PackingSlip? {
        try await database.read { db in
            guard let row = try await db.raw("SELECT * FROM packing_slips WHERE id = \(bind: id)").first() else {
                return nil
            }
            return try await FulfillmentRows.slip(row, in: db)
        }
    }

    /// How many open slips `warehouse` has (what its pick list serves).
    public func openSlips(warehouse: String) async throws -> Int {
        try await database.read { db in
            try await db.raw(
                "SELECT COUNT(*) AS n FROM packing_slips WHERE warehouse = \(bind: warehouse.uppercased()) AND status = 'open'"
            ).first()?.decode(column: "n", as: Int.self) ?? 0
        }
    }

    /// What to take from each bin of `warehouse` for every open slip: one walk through the aisles.
    public func pickList(warehouse: String) async throws -> [PickLine] {
        try await database.read { db in
            try await db.raw(
                """
                SELECT l.bin, l.sku, MIN(l.name) AS name, CAST(SUM(l.quantity) AS BIGINT) AS quantity,
                    COUNT(DISTINCT l.slip_id) AS slips
                FROM slip_lines l JOIN packing_slips s ON s.id = l.slip_id
                WHERE s.warehouse = \(bind: warehouse.uppercased()) AND s.status = 'open' AND l.kind <> 'kit'
                GROUP BY l.bin, l.sku
                ORDER BY CASE WHEN l.bin IS NULL THEN 1 ELSE 0 END, l.bin, l.sku
                """
            ).all().map { row in
                PickLine(
                    bin: try row.decode(column: "bin", as: String?.self),
                    sku: try row.decode(column: "sku", as: String.self),
                    name: try row.decode(column: "name", as: String.self),
                    quantity: try row.decode(column: "quantity", as: Int.self),
                    slips: try row.decode(column: "slips", as: Int.self))
            }
        }
    }
}
