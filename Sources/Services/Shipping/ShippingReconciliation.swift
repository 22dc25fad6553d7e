import SQLKit
import Storage

/// The shipping invariants, checked after a fault (`sprocket reconcile`, `scripts/faults`): every
/// shipment's slip is marked shipped, every shipped slip has exactly one shipment, and each shipment's
/// status is the furthest of its tracking events.
enum ShippingReconciliation {
    static func violations(in database: Database) async throws -> [String] {
        try await database.read { db in
            var violations: [String] = []
            let unmarked = try await db.count(
                """
                SELECT COUNT(*) AS n FROM shipments s JOIN packed_slips p ON p.slip_id = s.slip_id
                WHERE p.state <> 'shipped'
                """)
            if unmarked > 0 { violations.append("\(unmarked) shipments whose slip is not marked shipped") }
            let orphans = try await db.count(
                """
                SELECT COUNT(*) AS n FROM packed_slips p WHERE p.state = 'shipped'
                AND NOT EXISTS (SELECT 1 FROM shipments s WHERE s.slip_id = p.slip_id)
                """)
            if orphans > 0 { violations.append("\(orphans) shipped slips without a shipment") }
            let untracked = try await db.count(
                """
                SELECT COUNT(*) AS n FROM shipments s WHERE NOT EXISTS (SELECT 1 FROM tracking_events t
                    WHERE t.shipment_id = s.id AND t.status = s.status)
                """)
            if untracked > 0 { violations.append("\(untracked) shipments whose status no tracking event records") }
            return violations
        }
    }
}
