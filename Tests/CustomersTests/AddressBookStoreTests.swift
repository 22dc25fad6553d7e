import Customers
import Foundation
import IntegrationEvents
import Messaging
import SQLKit
import ServiceKit
import Storage
import Testing
import TestSupport

@Suite("Address books stored on both engines")
struct AddressBookStoreTests {
    static func outbox(_ database: Database) async throws -> [CustomerAddressesChanged] {
        try await database.read { db in
            try await db.raw("SELECT data FROM outbox WHERE type = \(bind: CustomerAddressesChanged.type) ORDER BY seq")
                .all().map {
                    try EventCoding.decoder.decode(
                        CustomerAddressesChanged.self, from: Data(try $0.decode(column: "data", as: String.self).utf8))
                }
        }
    }

    @Test(arguments: Engine.allCases)
    func changesAreStoredWholeAndEveryChangeOfTheDefaultsIsPublishedWithAGrowingVersion(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let store = CustomersStore(database: database)
            try await database.migrate(CustomersService.self, logger: TestDatabase.logger)
            let registration = try Registration(
                email: "ann@example.com", name: "Ann", password: "0123456789", address: AddressBookRulesTests.home)
            let ann = try await store.register(registration, role: .customer, passwordHash: "hash")
            #expect(try await store.addressBook(of: ann.id).defaultShipping == AddressBookRulesTests.home)

            let workshop = try await store.changeAddressBook(of: ann.id) { book in
                try book.add(
                    try AddressBookRulesTests.change(AddressBookRulesTests.workshop, label: "Workshop", shipping: true),
                    id: "0190aaaa-0000-7000-8000-000000000002", now: AddressBookRulesTests.now)
            }
            // A label alone changes no default: no event.
            _ = try await store.changeAddressBook(of: ann.id) { book in
                try book.update(workshop.id, try AddressBookRulesTests.change(nil, label: "Shop"), now: .storageNow)
            }
            try await store.changeAddressBook(of: ann.id) { book in try book.remove(workshop.id) }

            let stored = try await store.addressBook(of: ann.id)
            #expect(stored.entries.count == 1)
            #expect(stored.defaultShipping == nil)
            #expect(stored.defaultBilling == AddressBookRulesTests.home)
            let events = try await Self.outbox(database)
            #expect(events.map(\.version) == [1, 2, 3])
            #expect(events.map { $0.defaultShipping?.city } == ["Berlin", "Lyon", nil])
            #expect(events.map { $0.defaultBilling?.city } == ["Berlin", "Berlin", "Berlin"])
            #expect(events.allSatisfy { $0.customerId == ann.id })

            // A refused change writes nothing; an unknown account is 404.
            await #expect(throws: Problem.self) {
                try await store.changeAddressBook(of: ann.id) { book in try book.remove("nothing") }
            }
            await #expect(throws: Problem.self) {
                try await store.changeAddressBook(of: "nobody") { book in book.entries.count }
            }
            #expect(try await Self.outbox(database).count == 3)
        }
    }
}
