import Foundation
import IntegrationEvents
import SQLKit
import Storage

extension InventoryStore {
    /// Takes what shipped off the shelf: on `shipment.shipped`, the order's open reservations in the
    /// shipment's warehouse become committed and each item leaves on hand and reserved together
    /// (available does not change: it was reserved). Applied once per event (the inbox). Should the
    /// order's reservation have been released meanwhile (it was cancelled as the parcel left), the parcel
    /// still left: on hand goes down by what shipped, from what is available.
    func commit(_ shipment: ShipmentSnapshot, now: Date = .storageNow, in db: any SQLDatabase) async throws {
        let warehouse = shipment.warehouse.uppercased()
        let open = try await db.raw(
            """
            SELECT sku, quantity FROM reservations
            WHERE order_id = \(bind: shipment.orderId) AND warehouse = \(bind: warehouse) AND status = 'open'
            """
        ).all()
        var reservedHere: [String: Int] = [:]
        for row in open {
            reservedHere[try row.decode(column: "sku", as: String.self), default: 0] += try row.decode(
                column: "quantity", as: Int.self)
        }
        var shipped: [String: Int] = [:]
        for item in shipment.items { shipped[item.sku.uppercased(), default: 0] += item.quantity }
        for (sku, quantity) in shipped.sorted(by: { $0.key < $1.key }) {
            let fromReserved = min(quantity, reservedHere[sku] ?? 0)
            try await takeOff(
                warehouse: warehouse, sku: sku, onHand: quantity, reserved: fromReserved, orderId: shipment.orderId,
                now: now, in: db)
        }
        try await db.raw(
            """
            UPDATE reservations SET status = 'committed', updated_at = \(bind: now.microsecondsSince1970)
            WHERE order_id = \(bind: shipment.orderId) AND warehouse = \(bind: warehouse) AND status = 'open'
            """
        ).run()
    }

    /// `on_hand -= onHand, reserved -= reserved` on one row while `0 ≤ reserved ≤ on_hand` holds; with its
    /// ledger entry and events.
    private func takeOff(
        warehouse: String, sku: String, onHand: Int, reserved: Int, orderId: String, now: Date, in db: any SQLDatabase
    ) async throws {
        guard
            let row = try await db.raw(
                """
                UPDATE stock SET on_hand = on_hand - \(bind: onHand), reserved = reserved - \(bind: reserved),
                    updated_at = \(bind: now.microsecondsSince1970)
                WHERE warehouse = \(bind: warehouse) AND sku = \(bind: sku) AND reserved >= \(bind: reserved)
                    AND on_hand - \(bind: onHand) >= reserved - \(bind: reserved)
                RETURNING *
                """
            ).first()
        else { throw StockMovedUnderneath(warehouse: warehouse, sku: sku) }
        let after = try InventoryRows.stock(row)
        try await record(
            after, cause: .commit, onHandDelta: -onHand, reservedDelta: -reserved, orderId: orderId,
            reason: reserved < onHand ? "shipped after its reservation was released" : nil, actor: Self.actor, in: db)
        try await publishChange(after, availableBefore: after.available + (onHand - reserved), cause: .commit, in: db)
    }
}
