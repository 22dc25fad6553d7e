import Foundation
import IntegrationEvents
import Logging
import Messaging

/// The sales service's event consumer: its read model of what sold, from the order and shipment events.
public enum SalesConsumer {
    public static let name = "sales"

    public static func make(store: SalesStore, logger: Logger) -> EventConsumer {
        var consumer = EventConsumer(name: name, database: store.database, logger: logger)
        consumer.onBatch(OrderConfirmed.self) { events, db in try await store.record(events, in: db) }
        consumer.on(OrderCancelled.self) { event, db in try await store.record(event, in: db) }
        consumer.on(ShipmentDelivered.self) { event, db in try await store.record(event, in: db) }
        return consumer
    }
}
