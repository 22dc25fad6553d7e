import Foundation
import IntegrationEvents
import Logging
import Messaging

/// The shipping service's event consumer: which packing slips are packed (and may ship) or voided.
public enum ShippingConsumer {
    public static let name = "shipping"

    public static func make(store: ShippingStore, logger: Logger) -> EventConsumer {
        var consumer = EventConsumer(name: name, database: store.database, logger: logger)
        consumer.on(FulfillmentSlipPacked.self) { event, db in try await store.apply(event, in: db) }
        consumer.on(FulfillmentSlipVoided.self) { event, db in try await store.apply(event, in: db) }
        return consumer
    }
}
