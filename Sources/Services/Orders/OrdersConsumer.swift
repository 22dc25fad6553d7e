import Foundation
import IntegrationEvents
import Logging
import Messaging
import SQLKit
import ServiceKit
import Storage

/// The orders service's event consumer: keeps the catalog and customer replicas current, and moves
/// orders on inventory's decisions (the reservation saga), fulfillment's slips and shipping's shipments.
///
/// Catalog events carry a version; an older one than the replica holds changes nothing, so
/// redelivery and reordering are harmless. Inventory decides each order once.
enum OrdersConsumer {
    static let name = "orders"

    static func make(store: OrdersStore, autoConfirm: Bool, logger: Logger) -> EventConsumer {
        var consumer = EventConsumer(name: name, database: store.database, logger: logger)
        consumer.onBatch(
            InventoryReserved.self,
            prepare: { events in autoConfirm ? try await store.planConfirmations(events) : nil }
        ) { events, plan, db in
            try await store.recordReservations(events, autoConfirm: autoConfirm, plan: plan ?? nil, in: db)
        }
        consumer.on(InventoryRejected.self) { event, db in try await store.recordRejection(event, in: db) }
        consumer.onBatch(FulfillmentSlipCreated.self, prepare: { events in try await store.planSlips(events) }) {
            events, plan, db in
            try await store.recordSlips(events, plan: plan, in: db)
        }
        consumer.on(ShipmentShipped.self) { event, db in
            try await store.recordShipment(event.shipment, stage: .shipped, in: db)
        }
        consumer.on(ShipmentInTransit.self) { event, db in
            try await store.recordShipment(event.shipment, stage: .inTransit, in: db)
        }
        consumer.on(ShipmentDelivered.self) { event, db in
            try await store.recordShipment(event.shipment, stage: .delivered, in: db)
        }
        consumer.on(CatalogPartUpserted.self) { event, db in try await upsert(event, db) }
        consumer.on(CatalogPartsUpserted.self) { event, db in
            try await upsert(event, engine: store.database.engine, db)
        }
        consumer.on(CatalogPartDiscontinued.self) { event, db in
            try await db.raw(
                "UPDATE catalog_replica SET active = 0 WHERE sku = \(bind: event.sku) AND version <= \(bind: event.version)"
            ).run()
        }
        consumer.on(CatalogPartSuperseded.self) { event, db in
            try await db.raw(
                """
                INSERT INTO catalog_supersessions (sku, superseded_by, at)
                VALUES (\(bind: event.sku), \(bind: event.supersededBy), \(bind: event.at.microsecondsSince1970))
                ON CONFLICT (sku) DO UPDATE SET superseded_by = excluded.superseded_by, at = excluded.at
                WHERE catalog_supersessions.at <= excluded.at
                """
            ).run()
        }
        consumer.on(CustomerRegistered.self) { event, db in
            try await db.raw(
                """
                INSERT INTO customer_replica (customer_id, email, role, registered_at)
                VALUES (\(bind: event.customerId), \(bind: event.email), \(bind: event.role),
                        \(bind: event.registeredAt.microsecondsSince1970))
                ON CONFLICT (customer_id) DO NOTHING
                """
            ).run()
        }
        consumer.on(CustomerAddressesChanged.self) { event, db in
            func json(_ address: PostalAddress?) throws -> String? {
                try address.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
            }
            try await db.raw(
                """
                INSERT INTO customer_addresses (customer_id, shipping, billing, version)
                VALUES (\(bind: event.customerId), \(bind: try json(event.defaultShipping)),
                        \(bind: try json(event.defaultBilling)), \(bind: event.version))
                ON CONFLICT (customer_id) DO UPDATE SET shipping = excluded.shipping, billing = excluded.billing,
                    version = excluded.version
                WHERE customer_addresses.version < excluded.version
                """
            ).run()
        }
        return consumer
    }

    private static func upsert(_ event: CatalogPartUpserted, _ db: any SQLDatabase) async throws {
        guard let price = Money(decimal: event.price.amount, currency: event.price.currency) else {
            throw BadPrice(sku: event.sku, amount: event.price.amount)
        }
        try await db.raw(
            """
            INSERT INTO catalog_replica (sku, name, price_minor, currency, active, version)
            VALUES (\(bind: event.sku), \(bind: event.name), \(bind: price.minorUnits), \(bind: event.price.currency),
                    \(bind: event.status == "active" ? 1 : 0), \(bind: event.version))
            ON CONFLICT (sku) DO UPDATE SET name = excluded.name, price_minor = excluded.price_minor,
                currency = excluded.currency, active = excluded.active, version = excluded.version
            WHERE catalog_replica.version < excluded.version
            """
        ).run()
    }
}

extension OrdersConsumer {
    /// An import's batch of parts in one statement, with the same version rule as one part.
    fileprivate static func upsert(_ batch: CatalogPartsUpserted, engine: Engine, _ db: any SQLDatabase) async throws {
        var rows = JSONRows(columns: [
            ("sku", "TEXT"), ("name", "TEXT"), ("price_minor", "BIGINT"), ("currency", "TEXT"), ("active", "BIGINT"),
            ("version", "BIGINT"),
        ])
        for part in batch.parts {
            guard let price = Money(decimal: part.price.amount, currency: part.price.currency) else {
                throw BadPrice(sku: part.sku, amount: part.price.amount)
            }
            rows.append([
                .text(part.sku), .text(part.name), .integer(price.minorUnits), .text(part.price.currency),
                .integer(part.status == "active" ? 1 : 0), .integer(Int64(part.version)),
            ])
        }
        try await db.raw(
            """
            INSERT INTO catalog_replica (sku, name, price_minor, currency, active, version)
            SELECT v.sku, v.name, v.price_minor, v.currency, v.active, v.version
            FROM \(rows.source(engine, alias: "v")) WHERE true
            ON CONFLICT (sku) DO UPDATE SET name = excluded.name, price_minor = excluded.price_minor,
                currency = excluded.currency, active = excluded.active, version = excluded.version
            WHERE catalog_replica.version < excluded.version
            """
        ).run()
    }
}

/// A catalog event whose price is not an exact amount: it goes to dead letters.
struct BadPrice: Error {
    let sku: String
    let amount: String
}
