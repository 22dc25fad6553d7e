import Foundation
import IntegrationEvents
import Messaging
import Orders
import SQLKit
import ServiceKit
import Storage
import Testing
import TestSupport

@Suite("Orders store and consumer on both engines")
struct OrdersStoreTests {
    static func upserted(_ sku: String, _ price: String, version: Int = 1, status: String = "active") throws
        -> EventEnvelope
    {
        let event = CatalogPartUpserted(
            sku: sku, name: "Part \(sku)", price: MoneyAmount(amount: price, currency: "EUR"), status: status,
            kind: "part",
            components: [], weightGrams: nil, version: version, updatedAt: Date()
        )
        return try EventEnvelope(source: "/catalog", type: CatalogPartUpserted.type, subject: sku, payload: event)
    }

    /// Inventory's `inventory.reserved` for `orderId`, as the saga delivers it.
    static func reserved(_ orderId: String) throws -> EventEnvelope {
        let event = InventoryReserved(
            orderId: orderId,
            allocations: [StockAllocation(warehouse: "MAD", sku: "A", quantity: 2, bin: "A-1", bundleSku: nil)],
            at: Date())
        return try EventEnvelope(source: "/inventory", type: InventoryReserved.type, subject: orderId, payload: event)
    }

    static func rejected(_ orderId: String) throws -> EventEnvelope {
        let event = InventoryRejected(
            orderId: orderId, missing: [StockShortage(sku: "A", requested: 2, available: 1)], at: Date())
        return try EventEnvelope(source: "/inventory", type: InventoryRejected.type, subject: orderId, payload: event)
    }

    static func registered(_ id: String) throws -> EventEnvelope {
        let event = CustomerRegistered(
            customerId: id, email: "\(id)@example.com", name: id, role: "customer", registeredAt: Date())
        return try EventEnvelope(source: "/customers", type: CustomerRegistered.type, subject: id, payload: event)
    }

    /// An orders service with parts A (10.00) and B (2.50) and customers c1, c2 in its replicas; staff
    /// confirm by hand unless `autoConfirm`.
    static func withService(
        _ engine: Engine, autoConfirm: Bool = false, _ body: (OrdersService) async throws -> Void
    ) async throws {
        try await TestDatabase.with(engine) { database in
            try await database.migrate(OrdersService.self, logger: TestDatabase.logger)
            var settings = ServiceSettings()
            settings.options[OrdersService.autoConfirm.name] = autoConfirm ? "true" : "false"
            let service = OrdersService(
                context: ServiceContext(
                    database: database, keys: KeyRing(), settings: settings, logger: TestDatabase.logger))
            for envelope in [
                try upserted("A", "10.00"), try upserted("B", "2.50"), try registered("c1"), try registered("c2"),
            ] {
                try await service.consumer.deliver(envelope)
            }
            try await body(service)
        }
    }

    static func draft(
        _ lines: [(sku: String, quantity: Int)] = [("A", 2), ("B", 1)], city: String = "Berlin", country: String = "DE"
    ) -> OrderDraft {
        let address = Address(
            firstName: "Dana", lastName: "F", line1: "Street 1", city: city, postalCode: "10115", country: country)
        return OrderDraft(lines: lines, shippingAddress: address, billingAddress: address)
    }

    static func outbox(_ database: Database) async throws -> [(type: String, data: String)] {
        try await database.read { db in
            try await db.raw("SELECT type, data FROM outbox ORDER BY seq").all().map {
                (try $0.decode(column: "type", as: String.self), try $0.decode(column: "data", as: String.self))
            }
        }
    }

    @Test(arguments: Engine.allCases)
    func placingStoresThePricedOrderItsHistoryAndItsEvent(engine: Engine) async throws {
        try await Self.withService(engine) { service in
            let order = try await service.store.place(Self.draft(), customerId: "c1", idempotencyKey: nil)
            #expect(order.number.hasPrefix("SO-\(Calendar.current.component(.year, from: Date()))-"))
            #expect(order.number.hasSuffix("000001"))
            #expect(order.subtotal.minorUnits == 2250)
            #expect(order.tax.minorUnits == 428)
            let read = try #require(try await service.store.order(order.id))
            #expect(read == order)
            let second = try await service.store.place(Self.draft(), customerId: "c2", idempotencyKey: nil)
            #expect(second.number.hasSuffix("000002"))
            #expect(try await service.store.history(order.id).map(\.to) == [.pendingConfirmation])
            let events = try await Self.outbox(service.store.database)
            #expect(events.map(\.type) == [OrderPlaced.type, OrderPlaced.type])
            let placed = try EventCoding.decoder.decode(OrderPlaced.self, from: Data(events[0].data.utf8))
            #expect(placed.order.orderId == order.id)
            #expect(placed.order.lines.map(\.sku) == ["A", "B"])
            #expect(placed.order.lines.first?.unitPrice == MoneyAmount(amount: "10.00", currency: "EUR"))
            #expect(placed.order.total == MoneyAmount(amount: "26.78", currency: "EUR"))
            #expect(placed.order.shippingAddress.city == "Berlin")
            #expect(placed.order.status == "pending_confirmation")
        }
    }

    @Test(arguments: Engine.allCases)
    func pricesFollowCatalogEventsAndIgnoreStaleOnes(engine: Engine) async throws {
        try await Self.withService(engine) { service in
            try await service.consumer.deliver(try Self.upserted("A", "12.00", version: 3))
            try await service.consumer.deliver(try Self.upserted("A", "11.00", version: 2))  // stale: ignored
            let order = try await service.store.place(Self.draft([("A", 1)]), customerId: "c1", idempotencyKey: nil)
            #expect(order.lines.first?.unitPrice.minorUnits == 1200)
            let discontinued = CatalogPartDiscontinued(sku: "B", version: 2, discontinuedAt: Date())
            try await service.consumer.deliver(
                try EventEnvelope(
                    source: "/catalog", type: CatalogPartDiscontinued.type, subject: "B", payload: discontinued
                ))
            do {
                _ = try await service.store.place(Self.draft([("B", 1)]), customerId: "c1", idempotencyKey: nil)
                Issue.record("a discontinued part was ordered")
            } catch let problem as Problem {
                #expect(problem.errors?.first?.field == "lines.0.sku")
            }
            do {
                _ = try await service.store.place(Self.draft(), customerId: "stranger", idempotencyKey: nil)
                Issue.record("an unknown customer ordered")
            } catch let problem as Problem {
                #expect(problem.code == "order.customer_unknown")
            }
            #expect(try await Self.outbox(service.store.database).count == 1)
        }
    }

    @Test(arguments: Engine.allCases)
    func concurrentPlacementsWithOneKeyCreateOneOrder(engine: Engine) async throws {
        try await Self.withService(engine) { service in
            let ids = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        try await service.store.place(Self.draft(), customerId: "c1", idempotencyKey: "k-1").id
                    }
                }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(ids.count == 1)
            let other = try await service.store.place(Self.draft(), customerId: "c2", idempotencyKey: "k-1")
            #expect(!ids.contains(other.id))
            let all = try await service.store.list(OrderFilter(), page: PageRequest(limit: 200))
            #expect(all.items.count == 2)
            #expect(try await Self.outbox(service.store.database).count == 2)
        }
    }

    @Test(arguments: Engine.allCases)
    func ofTwoConcurrentMovesOneWins(engine: Engine) async throws {
        try await Self.withService(engine) { service in
            let order = try await service.store.place(Self.draft(), customerId: "c1", idempotencyKey: nil)
            try await service.consumer.deliver(try Self.reserved(order.id))
            let outcomes = await withTaskGroup(of: String.self) { group in
                for target in [OrderStatus.confirmed, .cancelled, .confirmed, .cancelled] {
                    group.addTask {
                        do {
                            _ = try await service.store.move(order.id, to: target, actor: "s1", reason: nil)
                            return "ok"
                        } catch let problem as Problem {
                            return problem.code
                        } catch {
                            return "\(error)"
                        }
                    }
                }
                return await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == "ok" }.count >= 1)
            let final = try #require(try await service.store.order(order.id))
            let history = try await service.store.history(order.id)
            // Every successful move is in the history, and each move started from the previous one's end.
            #expect(history.count == outcomes.filter { $0 == "ok" }.count + 1)
            for (previous, next) in zip(history, history.dropFirst()) { #expect(next.from == previous.to) }
            #expect(history.last?.to == final.status)
            #expect(final.version == history.count)
            #expect(outcomes.allSatisfy { ["ok", "order.illegal_transition", "order.concurrent_update"].contains($0) })
        }
    }

    @Test(arguments: Engine.allCases)
    func movesPublishTheRightEventsWithSnapshots(engine: Engine) async throws {
        try await Self.withService(engine) { service in
            let order = try await service.store.place(Self.draft(), customerId: "c1", idempotencyKey: nil)
            do {
                _ = try await service.store.move(order.id, to: .confirmed, actor: "s1", reason: nil)
                Issue.record("confirmed without a reservation")
            } catch let problem as Problem {
                #expect(problem.code == "order.not_reserved")
            }
            try await service.consumer.deliver(try Self.reserved(order.id))
            #expect(try await service.store.order(order.id)?.status == .pendingConfirmation)
            _ = try await service.store.move(order.id, to: .confirmed, actor: "s1", reason: nil)
            _ = try await service.store.move(order.id, to: .cancelled, actor: "s1", reason: "customer called")
            let events = try await Self.outbox(service.store.database)
            #expect(
                events.map(\.type) == [
                    OrderPlaced.type, OrderStatusChanged.type, OrderConfirmed.type, OrderStatusChanged.type,
                    OrderCancelled.type,
                ])
            let confirmed = try EventCoding.decoder.decode(OrderConfirmed.self, from: Data(events[2].data.utf8))
            #expect(confirmed.allocations?.first?.bin == "A-1")
            let cancelled = try EventCoding.decoder.decode(OrderCancelled.self, from: Data(events[4].data.utf8))
            #expect(cancelled.from == "confirmed")
            #expect(cancelled.reason == "customer called")
            #expect(cancelled.order.status == "cancelled")
            #expect(cancelled.order.lines.count == 2)
            #expect(cancelled.order.version == 3)
            let history = try await service.store.history(order.id)
            #expect(history.map(\.to) == [.pendingConfirmation, .confirmed, .cancelled])
            #expect(history.last?.actor == "s1")
            #expect(history.last?.reason == "customer called")
        }
    }

    @Test(arguments: Engine.allCases)
    func listsFilterAndPageNewestFirstWithoutSkipsOrRepeats(engine: Engine) async throws {
        try await Self.withService(engine) { service in
            var placed: [Order] = []
            let start = Date(timeIntervalSince1970: 1_790_000_000)
            for n in 0..<30 {
                let customer = n % 3 == 0 ? "c2" : "c1"
                let city = n % 2 == 0 ? "Berlin" : "Lyon"
                // Several orders share a timestamp, so the id must break ties.
                let at = Date(microsecondsSince1970: start.addingTimeInterval(Double(n / 3)).microsecondsSince1970)
                placed.append(
                    try await service.store.place(
                        Self.draft(city: city, country: city == "Lyon" ? "FR" : "DE"), customerId: customer,
                        idempotencyKey: nil, now: at
                    ))
            }
            for order in placed.prefix(5) {
                try await service.consumer.deliver(try Self.reserved(order.id))
                _ = try await service.store.move(order.id, to: .confirmed, actor: "s", reason: nil)
            }
            var seen: [String] = []
            var page = PageRequest(limit: 7)
            var pages = 0
            while true {
                let result = try await service.store.list(OrderFilter(), page: page)
                seen += result.items.map(\.id)
                pages += 1
                // A new order arriving between pages must not disturb the walk.
                if pages == 2 { _ = try await service.store.place(Self.draft(), customerId: "c1", idempotencyKey: nil) }
                guard let cursor = result.nextCursor else { break }
                page = try PageRequest(limit: 7, cursor: cursor, keyCount: 2)
            }
            #expect(seen.count == 30)
            #expect(Set(seen).count == 30)
            let expected = placed.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }.map(\.id)
            #expect(seen == expected)

            func count(_ filter: OrderFilter) async throws -> Int {
                try await service.store.list(filter, page: PageRequest(limit: 200)).items.count
            }
            #expect(try await count(OrderFilter(status: .confirmed)) == 5)
            #expect(try await count(OrderFilter(customerId: "c2")) == 10)
            #expect(try await count(OrderFilter(shippingCity: "  LYON ")) == 15)
            #expect(try await count(OrderFilter(shippingCountry: "fr")) == 15)
            #expect(try await count(OrderFilter(customerId: "c1", shippingCity: "berlin")) == 10 + 1)
            #expect(
                try await count(OrderFilter(from: start.addingTimeInterval(3), to: start.addingTimeInterval(6))) == 9)
        }
    }

    @Test(arguments: Engine.allCases)
    func inventorysDecisionConfirmsOrCancelsOncePendingOrdersOnly(engine: Engine) async throws {
        try await Self.withService(engine, autoConfirm: true) { service in
            let kept = try await service.store.place(Self.draft(), customerId: "c1", idempotencyKey: nil)
            let reserved = try Self.reserved(kept.id)
            try await service.consumer.deliver(reserved)
            try await service.consumer.deliver(reserved)
            #expect(try await service.store.order(kept.id)?.status == .confirmed)
            #expect(try await service.store.history(kept.id).last?.actor == "inventory")

            let short = try await service.store.place(Self.draft(), customerId: "c1", idempotencyKey: nil)
            try await service.consumer.deliver(try Self.rejected(short.id))
            #expect(try await service.store.order(short.id)?.status == .cancelled)
            #expect(
                try await service.store.history(short.id).last?.reason == "out_of_stock: A (ordered 2, available 1)")

            // The customer cancelled before inventory answered: the late reservation moves nothing.
            let late = try await service.store.place(Self.draft(), customerId: "c1", idempotencyKey: nil)
            _ = try await service.store.move(late.id, to: .cancelled, actor: "c1", reason: nil)
            try await service.consumer.deliver(try Self.reserved(late.id))
            try await service.consumer.deliver(try Self.rejected(kept.id))
            #expect(try await service.store.order(late.id)?.status == .cancelled)
            #expect(try await service.store.order(kept.id)?.status == .confirmed)
            #expect(try await service.store.history(late.id).count == 2)
        }
    }
}
