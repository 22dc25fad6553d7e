import SQLKit
import Storage

/// The fulfillment invariants, checked after a fault (`sprocket reconcile`, `scripts/faults`): every order
/// has all the slips it was given (`slips_in_order`), every slip has lines, and no cancelled order has an
/// open or packed slip.
enum FulfillmentReconciliation {
    static func violations(in database: Database) async throws -> [String] {
        try await database.read { db in
            var violations: [String] = []
            let partial = try await db.count(
                """
                SELECT COUNT(*) AS n FROM (SELECT order_id FROM packing_slips
                    GROUP BY order_id HAVING COUNT(*) <> MIN(slips_in_order)) partial
                """)
            if partial > 0 { violations.append("\(partial) orders with fewer or more slips than they were given") }
            let empty = try await db.count(
                "SELECT COUNT(*) AS n FROM packing_slips s WHERE NOT EXISTS (SELECT 1 FROM slip_lines l WHERE l.slip_id = s.id)"
            )
            if empty > 0 { violations.append("\(empty) slips without lines") }
            let live = try await db.count(
                """
                SELECT COUNT(*) AS n FROM packing_slips s JOIN cancelled_orders c ON c.order_id = s.order_id
                WHERE s.status IN ('open', 'packed')
                """)
            if live > 0 { violations.append("\(live) slips still open or packed for cancelled orders") }
            return violations
        }
    }
}
