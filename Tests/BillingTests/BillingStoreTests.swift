import Billing
import Foundation
import IntegrationEvents
import Messaging
import SQLKit
import ServiceKit
import Storage
import Testing
import TestSupport

@Suite("Invoices and credit notes on both engines")
struct BillingStoreTests {
    static let seller = Seller(
        name: "Sprocket Parts GmbH", address: "Werkstattstraße 1, 10115 Berlin, DE", vatId: "DE123456789")

    static func confirmed(_ id: String) throws -> EventEnvelope {
        try EventEnvelope(
            source: "/orders", type: OrderConfirmed.type, subject: id,
            payload: OrderConfirmed(order: BillingRulesTests.order(id: id), at: Date(), allocations: []))
    }

    static func cancelled(_ id: String) throws -> EventEnvelope {
        try EventEnvelope(
            source: "/orders", type: OrderCancelled.type, subject: id,
            payload: OrderCancelled(
                order: BillingRulesTests.order(id: id), from: "confirmed", actor: "c1", reason: "changed my mind",
                at: Date()))
    }

    static func open(_ location: DatabaseLocation) async throws -> (BillingStore, EventConsumer) {
        let database = try await Database.open(location, logger: TestDatabase.logger)
        try await database.migrate(
            service: MessagingSchema.service, MessagingSchema.migrations, logger: TestDatabase.logger)
        try await database.migrate(service: "billing", BillingMigrations.all, logger: TestDatabase.logger)
        let store = BillingStore(database: database, seller: seller)
        return (store, BillingConsumer.make(store: store, logger: TestDatabase.logger))
    }

    static func with(_ engine: Engine, _ body: (BillingStore, EventConsumer) async throws -> Void) async throws {
        let location = try TestDatabase.freshLocation(engine, name: "billing")
        let (store, consumer) = try await open(location)
        do {
            try await body(store, consumer)
        } catch {
            await TestDatabase.cleanUp(store.database, location)
            throw error
        }
        await TestDatabase.cleanUp(store.database, location)
    }

    static func numbers(_ database: Database, _ table: String = "invoices") async throws -> [String] {
        try await database.read { db in
            try await db.raw("SELECT number FROM \(ident: table) ORDER BY number").all()
                .map { try $0.decode(column: "number", as: String.self) }
        }
    }

    static func year(_ sequence: Int, _ prefix: String = "INV") -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        let year = calendar.component(.year, from: Date())
        return "\(prefix)-\(year)-" + String(format: "%06d", sequence)
    }

    @Test(arguments: Engine.allCases)
    func oneInvoicePerOrderUnderDuplicateAndReorderedDeliveries(engine: Engine) async throws {
        try await Self.with(engine) { store, consumer in
            let first = try Self.confirmed("o1")
            try await consumer.deliver(first)
            try await consumer.deliver(first)  // the same event again: the inbox skips it
            try await store.database.transaction { db in  // another copy of the confirmation, past the inbox
                try await db.raw("DELETE FROM inbox").run()
            }
            try await consumer.deliver(first)
            try await consumer.deliver(try Self.confirmed("o1"))  // a second event for the same order
            let invoices = try await store.list(InvoiceFilter(orderId: "o1"), page: PageRequest(limit: 10)).items
            #expect(invoices.count == 1)
            let invoice = try #require(invoices.first)
            #expect(invoice.number == Self.year(1))
            #expect((invoice.net, invoice.tax, invoice.gross) == (3001, 570, 3571))
            #expect(invoice.seller == Self.seller)
            #expect(invoice.buyer.company == "Taller García SL")

            // Cancelled first, confirmed late: no invoice.
            try await consumer.deliver(try Self.cancelled("o2"))
            try await consumer.deliver(try Self.confirmed("o2"))
            #expect(try await store.list(InvoiceFilter(orderId: "o2"), page: PageRequest(limit: 10)).items.isEmpty)
            #expect(try await BillingServiceProbe.reconcile(store.database) == [])
        }
    }

    @Test(arguments: Engine.allCases)
    func numbersAreGaplessUnder200ConcurrentConfirmationsAndAcrossARestart(engine: Engine) async throws {
        let location = try TestDatabase.freshLocation(engine, name: "billing")
        var (store, consumer) = try await Self.open(location)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<200 {
                    let event = try Self.confirmed("order-\(index)")
                    group.addTask { [consumer] in try await consumer.deliver(event) }
                }
                try await group.waitForAll()
            }
            #expect(try await Self.numbers(store.database) == (1...200).map { Self.year($0) })
            // A restart: a new process opens the same database and goes on from 201.
            await store.database.close()
            (store, consumer) = try await Self.open(location)
            for index in 200..<205 { try await consumer.deliver(try Self.confirmed("order-\(index)")) }
            for index in [3, 7] { try await consumer.deliver(try Self.cancelled("order-\(index)")) }
            #expect(try await Self.numbers(store.database) == (1...205).map { Self.year($0) })
            #expect(try await Self.numbers(store.database, "credit_notes") == [Self.year(1, "CN"), Self.year(2, "CN")])
            #expect(try await BillingServiceProbe.reconcile(store.database) == [])
        } catch {
            await TestDatabase.cleanUp(store.database, location)
            throw error
        }
        await TestDatabase.cleanUp(store.database, location)
    }

    @Test(arguments: Engine.allCases)
    func paymentsCreditNotesAndReceivables(engine: Engine) async throws {
        try await Self.with(engine) { store, consumer in
            for id in ["o1", "o2", "o3"] { try await consumer.deliver(try Self.confirmed(id)) }
            let invoices = try await store.list(InvoiceFilter(), page: PageRequest(limit: 10)).items
            let byOrder = Dictionary(uniqueKeysWithValues: invoices.map { ($0.orderId, $0) })
            let one = try #require(byOrder["o1"]).id
            let eur = { (amount: String) in Money(decimal: amount, currency: "EUR")! }
            var paid = try await store.recordPayment(
                one, amount: eur("10.00"), method: "bank_transfer", reference: "SEPA-1", at: nil, actor: "staff")
            #expect(paid.status == .partiallyPaid)
            do {
                _ = try await store.recordPayment(
                    one, amount: eur("25.72"), method: "bank_transfer", reference: "SEPA-2", at: nil, actor: "staff")
                Issue.record("an overpayment was taken")
            } catch let problem as Problem {
                #expect(problem.code == "billing.overpayment")
            }
            do {
                _ = try await store.recordPayment(
                    one, amount: Money(minorUnits: 100, currency: "USD"), method: "card", reference: "X", at: nil,
                    actor: "staff")
                Issue.record("a payment in another currency was taken")
            } catch let problem as Problem {
                #expect(problem.code == "billing.currency_mismatch")
            }
            paid = try await store.recordPayment(
                one, amount: eur("25.71"), method: "bank_transfer", reference: "SEPA-2", at: nil, actor: "staff")
            #expect(paid.status == .paid)
            #expect(try await store.invoice(one)?.payments.map(\.reference) == ["SEPA-1", "SEPA-2"])

            // Cancelling o2 credits its invoice in full; it takes no payment and is no longer owed.
            try await consumer.deliver(try Self.cancelled("o2"))
            try await consumer.deliver(try Self.cancelled("o2"))
            let second = try #require(byOrder["o2"])
            let credited = try #require(try await store.invoice(second.id))
            #expect(credited.status == .credited)
            #expect(credited.creditNote?.gross == -3571)
            #expect(credited.creditNote?.number == Self.year(1, "CN"))
            #expect(credited.gross == 3571)  // the invoice itself is unchanged
            let (receivables, totals) = try await store.receivables(now: Date().addingTimeInterval(45 * 86_400))
            #expect(receivables.map(\.orderId) == ["o3"])
            #expect(receivables.first?.balance == 3571)
            #expect(receivables.first?.bucket == "31-60")
            #expect(totals.map(\.bucket) == ["0-30", "31-60", "61-90", "90+"])
            #expect(totals.map(\.invoices) == [0, 1, 0, 0])
            #expect(totals[1].balance == 3571)
            #expect(try await store.receivables(now: Date(), limit: 1).totals[0].balance == 3571)
            let outbox = try await store.database.read { db in
                try await db.raw("SELECT type FROM outbox ORDER BY seq").all().map {
                    try $0.decode(column: "type", as: String.self)
                }
            }
            #expect(
                outbox == [
                    InvoiceIssued.type, InvoiceIssued.type, InvoiceIssued.type, InvoicePaid.type, InvoiceCredited.type,
                ])
            #expect(try await BillingServiceProbe.reconcile(store.database) == [])
        }
    }
}

/// The billing invariants (``BillingReconciliation``), through the module's public entry point.
enum BillingServiceProbe {
    static func reconcile(_ database: Database) async throws -> [String] {
        try await BillingChecks.violations(in: database)
    }
}
