import SQLKit
import Storage

/// The inventory invariants, checked after a fault (`sprocket reconcile`, `scripts/faults`):
/// `on_hand = Σ ledger on-hand deltas`, `reserved = Σ ledger reserved deltas = Σ open reservations`,
/// `0 ≤ reserved ≤ on_hand`, and no order left undecided.
enum InventoryReconciliation {
    static func violations(in database: Database) async throws -> [String] {
        try await database.read { db in
            var violations: [String] = []
            let ledger = try await db.count(
                """
                SELECT COUNT(*) AS n FROM stock s WHERE s.on_hand <> COALESCE((SELECT SUM(l.on_hand_delta)
                    FROM stock_ledger l WHERE l.warehouse = s.warehouse AND l.sku = s.sku), 0)
                OR s.reserved <> COALESCE((SELECT SUM(l.reserved_delta)
                    FROM stock_ledger l WHERE l.warehouse = s.warehouse AND l.sku = s.sku), 0)
                """)
            if ledger > 0 { violations.append("\(ledger) stock rows disagree with their ledger") }
            let reservations = try await db.count(
                """
                SELECT COUNT(*) AS n FROM stock s WHERE s.reserved <> COALESCE((SELECT SUM(r.quantity)
                    FROM reservations r WHERE r.warehouse = s.warehouse AND r.sku = s.sku AND r.status = 'open'), 0)
                """)
            if reservations > 0 {
                violations.append("\(reservations) stock rows disagree with their open reservations")
            }
            let bounds = try await db.count(
                "SELECT COUNT(*) AS n FROM stock WHERE reserved < 0 OR reserved > on_hand")
            if bounds > 0 { violations.append("\(bounds) stock rows with reserved outside 0...on_hand") }
            let pending = try await db.count("SELECT COUNT(*) AS n FROM order_outcomes WHERE outcome = 'pending'")
            if pending > 0 { violations.append("\(pending) orders left undecided") }
            return violations
        }
    }
}
