import Foundation
import IntegrationEvents
import Messaging
import SQLKit
import ServiceKit
import Storage

/// The orders side of the reservation saga: inventory's decision moves the order.
extension OrdersStore {
    static let inventoryActor = "inventory"

    /// Cancels a pending order inventory could not reserve, naming what is missing.
    func recordRejection(_ event: InventoryRejected, now: Date = .storageNow, in db: any SQLDatabase) async throws {
        guard let order = try await fetchIfExists(event.orderId, in: db), order.status == .pendingConfirmation else {
            return
        }
        _ = try await move(
            order, to: .cancelled, actor: Self.inventoryActor, reason: Self.outOfStockReason(event.missing), now: now,
            in: db)
    }

    /// `out_of_stock: PAD-1 (ordered 3, available 1); DISC-2 (ordered 2, available 0)`.
    static func outOfStockReason(_ missing: [StockShortage]) -> String {
        "out_of_stock: "
            + missing.map { "\($0.sku) (ordered \($0.requested), available \($0.available))" }.joined(separator: "; ")
    }

    /// The reservation inventory made for order `id`, if it arrived.
    func reservation(_ id: String, in db: any SQLDatabase) async throws -> [StockAllocation]? {
        guard
            let text = try await db.raw("SELECT allocations FROM order_reservations WHERE order_id = \(bind: id)")
                .first()?.decode(column: "allocations", as: String.self)
        else { return nil }
        return try EventCoding.decode([StockAllocation].self, from: Data(text.utf8))
    }
}
