import Foundation
import IntegrationEvents
import Logging
import Messaging

/// The billing service's event consumer: an invoice for every confirmed order, a credit note when an
/// invoiced order is cancelled.
public enum BillingConsumer {
    public static let name = "billing"

    public static func make(store: BillingStore, logger: Logger) -> EventConsumer {
        var consumer = EventConsumer(name: name, database: store.database, logger: logger)
        consumer.onBatch(OrderConfirmed.self) { events, db in try await store.issue(for: events, in: db) }
        consumer.on(OrderCancelled.self) { event, db in
            try await store.credit(orderId: event.order.orderId, reason: event.reason, in: db)
        }
        return consumer
    }
}
