import Foundation
import IntegrationEvents
import Messaging
import SQLKit
import ServiceKit
import Storage

/// Address books: read whole, changed whole under the account's row lock, and the defaults published
/// (`customer.addresses.changed`) in the same transaction whenever they change.
extension CustomersStore {
    /// The address book of account `customerId` (empty for an account without addresses).
    public func addressBook(of customerId: String) async throws -> AddressBook {
        try await database.read { db in try await Self.addressBook(of: customerId, in: db) }
    }

    /// Runs `change` on the address book of `customerId` and stores what it did: entries added, changed
    /// and removed, and the new defaults' event when they differ. 404 when the account does not exist.
    public func changeAddressBook<Result: Sendable>(
        of customerId: String, now: Date = .storageNow,
        _ change: @escaping @Sendable (inout AddressBook) throws -> Result
    ) async throws -> Result {
        try await database.transaction { db in
            guard
                let row = try await db.raw(
                    """
                    SELECT addresses_version FROM customers WHERE id = \(bind: customerId)
                    \(unsafeRaw: database.engine.rowLockClause)
                    """
                ).first()
            else { throw Problem.notFound("customer.not_found", "The account of this token no longer exists.") }
            let before = try await Self.addressBook(of: customerId, in: db)
            var book = before
            let result = try change(&book)
            try await Self.commit(
                book, replacing: before, of: customerId,
                version: try row.decode(column: "addresses_version", as: Int.self), at: now, in: db)
            return result
        }
    }

    /// Stores `book` over `before` (the account's row already locked or just inserted, at defaults
    /// `version`) and, when the defaults changed, the next version with its `customer.addresses.changed`.
    static func commit(
        _ book: AddressBook, replacing before: AddressBook, of customerId: String, version: Int, at now: Date,
        in db: any SQLDatabase
    ) async throws {
        try await store(book, replacing: before, of: customerId, in: db)
        guard book.defaultShipping != before.defaultShipping || book.defaultBilling != before.defaultBilling else {
            return
        }
        let next = version + 1
        try await db.raw("UPDATE customers SET addresses_version = \(bind: next) WHERE id = \(bind: customerId)")
            .run()
        try await Outbox.append(defaultsChanged(book, of: customerId, version: next, at: now), in: db)
    }

    /// The event that tells other services the defaults of `book`.
    static func defaultsChanged(_ book: AddressBook, of customerId: String, version: Int, at now: Date)
        -> CustomerAddressesChanged
    {
        CustomerAddressesChanged(
            customerId: customerId, version: version, defaultShipping: book.defaultShipping.map(postal),
            defaultBilling: book.defaultBilling.map(postal), changedAt: now)
    }

    static func addressBook(of customerId: String, in db: any SQLDatabase) async throws -> AddressBook {
        let rows = try await db.raw(
            "SELECT * FROM customer_addresses WHERE customer_id = \(bind: customerId) ORDER BY id"
        ).all()
        return AddressBook(entries: try rows.map(entry(from:)))
    }

    /// Writes the entries of `book` that differ from `before`, and deletes those it no longer has.
    static func store(
        _ book: AddressBook, replacing before: AddressBook, of customerId: String, in db: any SQLDatabase
    ) async throws {
        let old = Dictionary(uniqueKeysWithValues: before.entries.map { ($0.id, $0) })
        let kept = Set(book.entries.map(\.id))
        for removed in before.entries where !kept.contains(removed.id) {
            try await db.raw("DELETE FROM customer_addresses WHERE id = \(bind: removed.id)").run()
        }
        for entry in book.entries where old[entry.id] != entry {
            let address = String(decoding: try encoder.encode(entry.address), as: UTF8.self)
            try await db.raw(
                """
                INSERT INTO customer_addresses
                    (id, customer_id, label, address, default_shipping, default_billing, created_at, updated_at)
                VALUES (\(bind: entry.id), \(bind: customerId), \(bind: entry.label), \(bind: address),
                        \(bind: entry.isDefaultShipping ? 1 : 0), \(bind: entry.isDefaultBilling ? 1 : 0),
                        \(bind: entry.createdAt.microsecondsSince1970), \(bind: entry.updatedAt.microsecondsSince1970))
                ON CONFLICT (id) DO UPDATE SET label = excluded.label, address = excluded.address,
                    default_shipping = excluded.default_shipping, default_billing = excluded.default_billing,
                    updated_at = excluded.updated_at
                """
            ).run()
        }
    }

    private static func entry(from row: any SQLRow) throws -> AddressEntry {
        let text = try row.decode(column: "address", as: String.self)
        return AddressEntry(
            id: try row.decode(column: "id", as: String.self),
            label: try row.decode(column: "label", as: String?.self),
            address: try JSONDecoder().decode(Address.self, from: Data(text.utf8)),
            isDefaultShipping: try row.decode(column: "default_shipping", as: Int.self) != 0,
            isDefaultBilling: try row.decode(column: "default_billing", as: Int.self) != 0,
            createdAt: Date(microsecondsSince1970: try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Date(microsecondsSince1970: try row.decode(column: "updated_at", as: Int64.self)))
    }

    static func postal(_ address: Address) -> PostalAddress {
        PostalAddress(
            firstName: address.firstName, lastName: address.lastName, company: address.company, email: address.email,
            phone: address.phone, line1: address.line1, line2: address.line2, line3: address.line3, city: address.city,
            region: address.region, postalCode: address.postalCode, country: address.country)
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()
}
