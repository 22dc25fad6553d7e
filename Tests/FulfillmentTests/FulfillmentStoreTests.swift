import Foundation
import Fulfillment
import IntegrationEvents
import Messaging
import SQLKit
import ServiceKit
import Storage
import Testing
import TestSupport

@Suite("Packing slips on both engines")
struct FulfillmentStoreTests {
    static let address = PostalAddress(
        firstName: "Ana", lastName: "García", company: nil, email: nil, phone: nil, line1: "Calle Mayor 1",
        line2: nil, line3: nil, city: "Madrid", region: nil, postalCode: "28013", country: "ES")

    static func order(_ id: String) -> OrderSnapshot {
        let zero = MoneyAmount(amount: "0.00", currency: "EUR")
        return OrderSnapshot(
            orderId: id, number: "SO-2026-000042", customerId: "c1", status: "confirmed",
            lines: [
                OrderLineSnapshot(sku: "KIT", name: "Front brake kit", quantity: 2, unitPrice: zero, lineTotal: zero),
                OrderLineSnapshot(sku: "FLUID", name: "Brake fluid", quantity: 1, unitPrice: zero, lineTotal: zero),
            ],
            shippingAddress: address, billingAddress: address, subtotal: zero, tax: zero, taxRateBasisPoints: 0,
            total: zero, createdAt: Date(), version: 2)
    }

    /// The kit's discs and pads from Madrid (pads in two bins' order), the fluid from Chicago.
    static let allocations = [
        StockAllocation(warehouse: "MAD", sku: "PAD", quantity: 2, bin: "A-03", bundleSku: "KIT"),
        StockAllocation(warehouse: "MAD", sku: "DISC", quantity: 4, bin: "A-01", bundleSku: "KIT"),
        StockAllocation(warehouse: "CHI", sku: "FLUID", quantity: 1, bin: "B-07", bundleSku: nil),
    ]

    static func confirmed(_ id: String) throws -> EventEnvelope {
        try EventEnvelope(
            source: "/orders", type: OrderConfirmed.type, subject: id,
            payload: OrderConfirmed(order: order(id), at: Date(), allocations: allocations))
    }

    static func cancelled(_ id: String) throws -> EventEnvelope {
        try EventEnvelope(
            source: "/orders", type: OrderCancelled.type, subject: id,
            payload: OrderCancelled(order: order(id), from: "confirmed", actor: "c1", reason: nil, at: Date()))
    }

    static func with(_ engine: Engine, _ body: (FulfillmentStore, EventConsumer) async throws -> Void) async throws {
        try await TestDatabase.with(engine) { database in
            try await database.migrate(
                service: MessagingSchema.service, MessagingSchema.migrations, logger: TestDatabase.logger)
            try await database.migrate(service: "fulfillment", FulfillmentMigrations.all, logger: TestDatabase.logger)
            let store = FulfillmentStore(database: database)
            let consumer = FulfillmentConsumer.make(store: store, logger: TestDatabase.logger)
            let names = CatalogPartUpserted(
                sku: "DISC", name: "Front brake disc 312 mm", price: MoneyAmount(amount: "1.00", currency: "EUR"),
                status: "active", kind: "part", components: [], weightGrams: nil, version: 1, updatedAt: Date())
            try await consumer.deliver(
                try EventEnvelope(source: "/catalog", type: CatalogPartUpserted.type, subject: "DISC", payload: names))
            try await body(store, consumer)
        }
    }

    static func outbox(_ type: String, _ database: Database) async throws -> Int {
        try await database.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM outbox WHERE type = \(bind: type)").first()?
                .decode(column: "n", as: Int.self) ?? 0
        }
    }

    @Test(arguments: Engine.allCases)
    func aConfirmedOrderGetsOneSlipPerWarehouseInPickPathOrderOnce(engine: Engine) async throws {
        try await Self.with(engine) { store, consumer in
            let event = try Self.confirmed("o1")
            try await consumer.deliver(event)
            try await consumer.deliver(event)
            try await consumer.deliver(try Self.confirmed("o1"))
            let slips = try await store.list(SlipFilter(orderId: "o1"), page: PageRequest(limit: 10)).items
            #expect(slips.count == 2)
            #expect(
                Set(slips.map(\.number)) == [
                    "PS-\(Calendar.current.component(.year, from: Date()))-000001",
                    "PS-\(Calendar.current.component(.year, from: Date()))-000002",
                ])
            let madrid = try #require(slips.first { $0.warehouse == "MAD" })
            #expect(madrid.status == .open && madrid.orderNumber == "SO-2026-000042" && madrid.shipTo.city == "Madrid")
            #expect(
                madrid.lines == [
                    SlipLine(kind: .kit, sku: "KIT", name: "Front brake kit", quantity: 2, bin: nil, kit: nil),
                    SlipLine(
                        kind: .component, sku: "DISC", name: "Front brake disc 312 mm", quantity: 4, bin: "A-01",
                        kit: "KIT"),
                    SlipLine(kind: .component, sku: "PAD", name: "PAD", quantity: 2, bin: "A-03", kit: "KIT"),
                ])
            let chicago = try #require(slips.first { $0.warehouse == "CHI" })
            #expect(
                chicago.lines == [
                    SlipLine(kind: .part, sku: "FLUID", name: "Brake fluid", quantity: 1, bin: "B-07", kit: nil)
                ])
            #expect(try await Self.outbox(FulfillmentSlipCreated.type, store.database) == 2)
        }
    }

    /// On PostgreSQL the first slips move the counter row in their transaction, and a block of 100 is
    /// taken beside them once they commit: the next orders' slips come from it, the row untouched.
    @Test func onPostgresSlipNumbersComeFromBlocksTakenAhead() async throws {
        try await Self.with(.postgres) { store, consumer in
            func last() async throws -> Int? {
                try await store.database.read { db in
                    try await db.raw("SELECT last FROM slip_numbers").first()?.decode(column: "last", as: Int.self)
                }
            }
            try await consumer.deliver(try Self.confirmed("o1"))
            var moved = try await last()
            for _ in 0..<500 where moved != 102 {
                try await Task.sleep(for: .milliseconds(10))
                moved = try await last()
            }
            #expect(moved == 102)
            try await consumer.deliver(try Self.confirmed("o2"))
            let numbers = try await store.list(SlipFilter(orderId: "o2"), page: PageRequest(limit: 10)).items
                .map { $0.number.suffix(6) }
            #expect(Set(numbers) == ["000003", "000004"])
            #expect(try await last() == 102)
        }
    }

    @Test(arguments: Engine.allCases)
    func packingVoidingAndThePickList(engine: Engine) async throws {
        try await Self.with(engine) { store, consumer in
            try await consumer.deliver(try Self.confirmed("o1"))
            try await consumer.deliver(try Self.confirmed("o2"))
            let pick = try await store.pickList(warehouse: "mad")
            #expect(
                pick.map { "\($0.bin ?? "-") \($0.sku) \($0.quantity) \($0.slips)" } == [
                    "A-01 DISC 8 2", "A-03 PAD 4 2",
                ])

            let slip = try #require(
                try await store.list(SlipFilter(warehouse: "MAD", orderId: "o1"), page: PageRequest(limit: 1)).items
                    .first)
            let packed = try await store.pack(slip.id, actor: "staff-1")
            #expect(packed.status == .packed)
            do {
                _ = try await store.pack(slip.id, actor: "staff-1")
                Issue.record("packed twice")
            } catch let problem as Problem {
                #expect(problem.code == "fulfillment.slip_not_open")
            }
            #expect(try await store.pickList(warehouse: "MAD").map(\.quantity) == [4, 2])

            // Cancelling voids the order's slips, packed or not; a late confirmation makes none.
            try await consumer.deliver(try Self.cancelled("o1"))
            #expect(
                try await store.list(SlipFilter(orderId: "o1"), page: PageRequest(limit: 10)).items.allSatisfy {
                    $0.status == .voided
                })
            try await consumer.deliver(try Self.cancelled("o3"))
            try await consumer.deliver(try Self.confirmed("o3"))
            #expect(try await store.list(SlipFilter(orderId: "o3"), page: PageRequest(limit: 10)).items.isEmpty)
            #expect(try await Self.outbox(FulfillmentSlipVoided.type, store.database) == 2)
            #expect(try await Self.outbox(FulfillmentSlipPacked.type, store.database) == 1)
        }
    }
}
