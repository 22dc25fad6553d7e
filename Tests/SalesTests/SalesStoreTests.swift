import Foundation
import IntegrationEvents
import Messaging
import Sales
import ServiceKit
import Storage
import Testing
import TestSupport

@Suite("The sales read model on both engines")
struct SalesStoreTests {
    static let address = PostalAddress(
        firstName: "Ana", lastName: "García", company: nil, email: nil, phone: nil, line1: "Calle Mayor 1",
        line2: nil, line3: nil, city: "Madrid", region: nil, postalCode: "28013", country: "ES")

    static func order(_ id: String, country: String = "ES", lines: [(String, Int, String)]) -> OrderSnapshot {
        let eur = { (amount: String) in MoneyAmount(amount: amount, currency: "EUR") }
        var address = address
        address.country = country
        let net = lines.reduce(Int64(0)) { $0 + (Money(decimal: $1.2, currency: "EUR")?.minorUnits ?? 0) }
        let tax = net * 21 / 100
        return OrderSnapshot(
            orderId: id, number: "SO-\(id)", customerId: "c1", status: "confirmed",
            lines: lines.map {
                OrderLineSnapshot(
                    sku: $0.0, name: "Part \($0.0)", quantity: $0.1, unitPrice: eur($0.2), lineTotal: eur($0.2))
            },
            shippingAddress: address, billingAddress: address,
            subtotal: eur(Money(minorUnits: net, currency: "EUR").decimal),
            tax: eur(Money(minorUnits: tax, currency: "EUR").decimal), taxRateBasisPoints: 2100,
            total: eur(Money(minorUnits: net + tax, currency: "EUR").decimal), createdAt: Date(), version: 2)
    }

    static func confirmed(_ order: OrderSnapshot, at: Date) throws -> EventEnvelope {
        try EventEnvelope(
            source: "/orders", type: OrderConfirmed.type, subject: order.orderId,
            payload: OrderConfirmed(order: order, at: at, allocations: []))
    }

    static func cancelled(_ order: OrderSnapshot) throws -> EventEnvelope {
        try EventEnvelope(
            source: "/orders", type: OrderCancelled.type, subject: order.orderId,
            payload: OrderCancelled(order: order, from: "confirmed", actor: "c1", reason: nil, at: Date()))
    }

    @Test(arguments: Engine.allCases)
    func reportsCountConfirmedOrdersOnceAndLeaveCancelledOnesOut(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            try await database.migrate(
                service: MessagingSchema.service, MessagingSchema.migrations, logger: TestDatabase.logger)
            try await database.migrate(service: "sales", SalesMigrations.all, logger: TestDatabase.logger)
            let store = SalesStore(database: database)
            let consumer = SalesConsumer.make(store: store, logger: TestDatabase.logger)
            let day = SalesReportsTests.at("2026-11-02T10:00:00Z")
            let a = Self.order("a", lines: [("PAD", 2, "80.00"), ("DISC", 1, "54.00")])
            let b = Self.order("b", country: "DE", lines: [("PAD", 1, "40.00")])
            let c = Self.order("c", lines: [("PAD", 5, "200.00")])
            let d = Self.order("d", lines: [("DISC", 9, "486.00")])
            try await consumer.deliver(try Self.confirmed(a, at: day))
            try await consumer.deliver(try Self.confirmed(a, at: day))  // redelivered: skipped
            try await consumer.deliver(try Self.confirmed(b, at: day.addingTimeInterval(86_400)))
            try await consumer.deliver(try Self.confirmed(c, at: day))
            try await consumer.deliver(try Self.cancelled(c))  // cancelled: not counted
            try await consumer.deliver(try Self.cancelled(d))  // cancelled before confirmed: never counted
            try await consumer.deliver(try Self.confirmed(d, at: day))
            let sold = try await store.soldItems(ReportPeriod())
            #expect(
                sold.map { "\($0.sku) \($0.quantity) \($0.net) \($0.orders)" } == ["PAD 3 12000 2", "DISC 1 5400 1"])
            // The period is [from, to): only the first day.
            let firstDay = try await store.soldItems(ReportPeriod(from: day, to: day.addingTimeInterval(3600)))
            #expect(firstDay.map(\.quantity) == [2, 1])
            let orders = try await store.orders(ReportPeriod())
            #expect(orders.count == 2)
            let gross: Int64 = orders.map(\.gross).reduce(0, +)
            let expected: Int64 = (13400 + 2814) + (4000 + 840)  // net + 21 % tax of a and b
            #expect(gross == expected)
            #expect(try await SalesService.reconcile(database) == [])
        }
    }
}
