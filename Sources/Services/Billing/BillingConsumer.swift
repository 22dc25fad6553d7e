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
        consumer.on(OrderConfirmed.self) { event, db in try await store.issue(for: event, in: db) }
        consumer.on(OrderCancelled.self) { event, db in
            try await store.credit(orderId: event.order.orderId, reason: event.reason, in: db)
        }
        return consumer
    }
}
