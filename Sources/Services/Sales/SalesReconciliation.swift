import SQLKit
import Storage

/// The sales invariant, checked after a fault (`sprocket reconcile`, `scripts/faults`): every order's
/// lines add up to its net, and an order cancelled before it was confirmed is not counted.
enum SalesReconciliation {
    static func violations(in database: Database) async throws -> [String] {
        try await database.read { db in
            var violations: [String] = []
            let lines = try await db.count(
                """
                SELECT COUNT(*) AS n FROM sales_orders o
                WHERE o.net <> (SELECT COALESCE(SUM(l.net), 0) FROM sales_lines l WHERE l.order_id = o.order_id)
                """)
            if lines > 0 { violations.append("\(lines) orders whose lines do not add up to their net") }
            let counted = try await db.count(
                """
                SELECT COUNT(*) AS n FROM sales_orders o JOIN cancelled_orders c ON c.order_id = o.order_id
                WHERE o.cancelled_at IS NULL
                """)
            if counted > 0 { violations.append("\(counted) cancelled orders still counted as sold") }
            return violations
        }
    }
}
