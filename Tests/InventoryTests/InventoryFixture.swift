import Foundation
import IntegrationEvents
import Inventory
import Messaging
import SQLKit
import ServiceKit
import Storage
import TestSupport

/// An inventory service on a fresh database, and the events the saga consumes.
struct InventoryFixture {
    let service: InventoryService
    var store: InventoryStore { service.store }
    var database: Database { service.store.database }

    static func with(_ engine: Engine, _ body: (InventoryFixture) async throws -> Void) async throws {
        try await TestDatabase.with(engine) { database in
            try await database.migrate(InventoryService.self, logger: TestDatabase.logger)
            let service = InventoryService(
                context: ServiceContext(
                    database: database, keys: KeyRing(), settings: ServiceSettings(), logger: TestDatabase.logger))
            try await body(InventoryFixture(service: service))
        }
    }

    func deliver(_ envelope: EventEnvelope) async throws {
        try await service.consumer.deliver(envelope)
    }

    func part(_ sku: String, components: [(String, Int)] = [], version: Int = 1) async throws {
        let event = CatalogPartUpserted(
            sku: sku, name: sku, price: MoneyAmount(amount: "1.00", currency: "EUR"), status: "active",
            kind: components.isEmpty ? "part" : "bundle",
            components: components.map { ComponentQuantity(sku: $0.0, quantity: $0.1) }, weightGrams: nil,
            version: version, updatedAt: Date())
        try await deliver(
            try EventEnvelope(source: "/catalog", type: CatalogPartUpserted.type, subject: sku, payload: event))
    }

    func warehouse(_ code: String, _ country: String, region: String? = nil) async throws {
        _ = try await store.createWarehouse(
            try Warehouse.create(code: code, name: "Warehouse \(code)", country: country, region: region, now: Date()))
    }

    static func order(_ id: String, _ lines: [(String, Int)], country: String = "ES") -> OrderSnapshot {
        let address = PostalAddress(
            firstName: "Ana", lastName: "García", company: nil, email: nil, phone: nil, line1: "Calle Mayor 1",
            line2: nil, line3: nil, city: "Madrid", region: nil, postalCode: "28013", country: country)
        let zero = MoneyAmount(amount: "0.00", currency: "EUR")
        return OrderSnapshot(
            orderId: id, number: "SO-2026-\(id)", customerId: "c1", status: "pending_confirmation",
            lines: lines.map {
                OrderLineSnapshot(sku: $0.0, name: $0.0, quantity: $0.1, unitPrice: zero, lineTotal: zero)
            },
            shippingAddress: address, billingAddress: address, subtotal: zero, tax: zero, taxRateBasisPoints: 0,
            total: zero, createdAt: Date(), version: 1)
    }

    static func placed(_ order: OrderSnapshot) throws -> EventEnvelope {
        try EventEnvelope(
            source: "/orders", type: OrderPlaced.type, subject: order.orderId, payload: OrderPlaced(order: order))
    }

    static func cancelled(_ order: OrderSnapshot) throws -> EventEnvelope {
        try EventEnvelope(
            source: "/orders", type: OrderCancelled.type, subject: order.orderId,
            payload: OrderCancelled(order: order, from: "confirmed", actor: "c1", reason: nil, at: Date()))
    }

    /// The saga's published decisions, by type, from the outbox.
    func outboxCount(_ type: String) async throws -> Int {
        try await database.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM outbox WHERE type = \(bind: type)").first()?
                .decode(column: "n", as: Int.self) ?? 0
        }
    }

    func stock(_ warehouse: String, _ sku: String) async throws -> (onHand: Int, reserved: Int) {
        try await database.read { db in
            guard
                let row = try await db.raw(
                    "SELECT on_hand, reserved FROM stock WHERE warehouse = \(bind: warehouse) AND sku = \(bind: sku)"
                ).first()
            else { return (0, 0) }
            return (try row.decode(column: "on_hand", as: Int.self), try row.decode(column: "reserved", as: Int.self))
        }
    }
}
