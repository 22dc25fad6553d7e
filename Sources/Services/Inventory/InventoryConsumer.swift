import Foundation
import IntegrationEvents
import Logging
import Messaging
import Storage

/// The inventory service's event consumer: the catalog's kits, and the reservation saga's side of
/// orders (reserve on `order.placed`, release on `order.cancelled`, commit on `shipment.shipped`).
///
/// Each event is applied once (the inbox), and each order is decided once (`order_outcomes`), so a
/// redelivered or reordered event never reserves or releases twice.
enum InventoryConsumer {
    static let name = "inventory"

    static func make(store: InventoryStore, logger: Logger) -> EventConsumer {
        var consumer = EventConsumer(name: name, database: store.database, logger: logger)
        consumer.on(CatalogPartUpserted.self) { event, db in try await store.apply(event, in: db) }
        consumer.on(CatalogPartsUpserted.self) { event, db in try await store.apply(event, in: db) }
        consumer.onBatch(OrderPlaced.self) { events, db in
            try await store.reserve(events.map { Delivered(event: $0.event.order, trace: $0.trace) }, in: db)
        }
        consumer.on(OrderCancelled.self) { event, db in try await store.release(event.order.orderId, in: db) }
        consumer.on(ShipmentShipped.self) { event, db in try await store.commit(event.shipment, in: db) }
        return consumer
    }
}
