import Foundation
import IntegrationEvents
import Messaging
import Orders
import ServiceKit
import Storage
import Testing
import TestSupport

@Suite("Orders take the default addresses of the customers' books, on both engines")
struct OrdersDefaultAddressTests {
    static func changed(_ id: String, version: Int, shipping: String?, billing: String?) throws -> EventEnvelope {
        func postal(_ city: String?) -> PostalAddress? {
            city.map {
                PostalAddress(
                    firstName: "Dana", lastName: "F", company: nil, email: nil, phone: nil, line1: "Street 1",
                    line2: nil, line3: nil, city: $0, region: nil, postalCode: "10115", country: "DE")
            }
        }
        let event = CustomerAddressesChanged(
            customerId: id, version: version, defaultShipping: postal(shipping), defaultBilling: postal(billing),
            changedAt: Date())
        return try EventEnvelope(
            source: "/customers", type: CustomerAddressesChanged.type, subject: id, payload: event)
    }

    static func bare() -> OrderDraft {
        OrderDraft(lines: [("A", 1)], shippingAddress: nil, billingAddress: nil)
    }

    @Test(arguments: Engine.allCases)
    func theNewestDefaultsAreUsedWhateverOrderTheirEventsArriveIn(engine: Engine) async throws {
        try await OrdersStoreTests.withService(engine) { service in
            do {
                _ = try await service.store.place(Self.bare(), customerId: "c1", idempotencyKey: nil)
                Issue.record("an order without addresses or defaults was placed")
            } catch let problem as Problem {
                #expect(problem.status == 409)
                #expect(problem.code == "order.no_default_address")
                #expect(problem.errors?.map(\.field) == ["shippingAddress", "billingAddress"])
            }
            try await service.consumer.deliver(try Self.changed("c1", version: 2, shipping: "Lyon", billing: "Paris"))
            // An older change arriving late (or redelivered) changes nothing.
            try await service.consumer.deliver(try Self.changed("c1", version: 1, shipping: "Berlin", billing: nil))
            let order = try await service.store.place(Self.bare(), customerId: "c1", idempotencyKey: nil)
            #expect(order.shippingAddress.city == "Lyon")
            #expect(order.billingAddress.city == "Paris")
            // An address the order names wins over the default; another customer's defaults are theirs.
            var draft = Self.bare()
            draft.billingAddress = OrdersStoreTests.draft(city: "Hamburg").billingAddress
            let named = try await service.store.place(draft, customerId: "c1", idempotencyKey: nil)
            #expect(named.billingAddress.city == "Hamburg")
            #expect(named.shippingAddress.city == "Lyon")
            await #expect(throws: Problem.self) {
                _ = try await service.store.place(Self.bare(), customerId: "c2", idempotencyKey: nil)
            }
            // A book that lost its billing default: the order must name one.
            try await service.consumer.deliver(try Self.changed("c1", version: 3, shipping: "Lyon", billing: nil))
            do {
                _ = try await service.store.place(Self.bare(), customerId: "c1", idempotencyKey: nil)
                Issue.record("an order without a billing default was placed")
            } catch let problem as Problem {
                #expect(problem.errors?.map(\.field) == ["billingAddress"])
            }
        }
    }
}
