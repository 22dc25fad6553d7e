import Foundation
import IntegrationEvents
import Logging
import Messaging

/// The fulfillment service's event consumer: slips for confirmed orders, voided for cancelled ones, shipped
/// when shipping took them, and the part names slips print.
public enum FulfillmentConsumer {
    public static let name = "fulfillment"

    public static func make(store: FulfillmentStore, logger: Logger) -> EventConsumer {
        var consumer = EventConsumer(name: name, database: store.database, logger: logger)
        consumer.on(CatalogPartUpserted.self) { event, db in try await store.apply(event, in: db) }
        consumer.on(CatalogPartsUpserted.self) { event, db in try await store.apply(event, in: db) }
        consumer.onBatch(OrderConfirmed.self) { events, db in try await store.createSlips(for: events, in: db) }
        consumer.on(OrderCancelled.self) { event, db in try await store.voidSlips(ofOrder: event.order.orderId, in: db)
        }
        consumer.on(ShipmentShipped.self) { event, db in try await store.markShipped(event.shipment, in: db) }
        return consumer
    }
}
