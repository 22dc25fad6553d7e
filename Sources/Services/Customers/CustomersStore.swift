import Crypto
import Foundation
import IntegrationEvents
import Logging
import Messaging
import SQLKit
import ServiceKit
import Storage

/// The customers service's tables: accounts, signing keys, and the outbox of its events.
public struct CustomersStore: Sendable {
    public let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Stores a new account and its `customer.registered` event, and its first address (the default for
    /// shipping and billing) with its `customer.addresses.changed`; 409 when the email is taken.
    public func register(_ registration: Registration, role: Role, passwordHash: String, now: Date = .storageNow)
        async throws -> Customer
    {
        let customer = Customer(
            id: UUIDv7.make(at: now), email: registration.email, name: registration.name, role: role, createdAt: now)
        return try await database.transaction { db in
            let inserted = try await db.raw(
                """
                INSERT INTO customers (id, email, name, password_hash, role, created_at)
                VALUES (\(bind: customer.id), \(bind: customer.email), \(bind: customer.name), \(bind: passwordHash),
                        \(bind: role.rawValue), \(bind: now.microsecondsSince1970))
                ON CONFLICT DO NOTHING RETURNING id
                """
            ).first()
            guard inserted != nil else {
                throw Problem.conflict("customer.email_taken", "An account with this email already exists.")
            }
            let event = CustomerRegistered(
                customerId: customer.id, email: customer.email, name: customer.name, role: role.rawValue,
                registeredAt: now
            )
            try await Outbox.append(event, in: db)
            if let address = registration.address {
                var book = AddressBook(entries: [])
                _ = try book.add(
                    try AddressChange(address: address, label: nil, defaultShipping: nil, defaultBilling: nil),
                    id: UUIDv7.make(at: now), now: now)
                try await Self.commit(
                    book, replacing: AddressBook(entries: []), of: customer.id, version: 0, at: now, in: db)
            }
            return customer
        }
    }

    /// The account and password hash for `email` (already normalised), or `nil`.
    public func credentials(email: String) async throws -> (Customer, passwordHash: String)? {
        try await database.read { db in
            guard let row = try await db.raw("SELECT * FROM customers WHERE email = \(bind: email)").first() else {
                return nil
            }
            return (try Self.customer(from: row), try row.decode(column: "password_hash", as: String.self))
        }
    }

    /// The account `id`, or `nil`.
    public func customer(id: String) async throws -> Customer? {
        try await database.read { db in
            try await db.raw("SELECT * FROM customers WHERE id = \(bind: id)").first().map(Self.customer(from:))
        }
    }

    /// One page of accounts ordered by email, optionally by role and a search text.
    public func list(role: Role?, query: String?, page: PageRequest) async throws -> Page<Customer> {
        var conditions: [SQLQueryString] = ["1 = 1"]
        if let after = page.after.first { conditions.append("email > \(bind: after.lowercased())") }
        if let role { conditions.append("role = \(bind: role.rawValue)") }
        if let query, !query.isEmpty {
            let pattern =
                "%\(query.lowercased().replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: ""))%"
            conditions.append("(email LIKE \(bind: pattern) OR lower(name) LIKE \(bind: pattern))")
        }
        let whereClause = conditions.joined(separator: " AND ")
        return try await database.read { db in
            let rows = try await db.raw(
                "SELECT * FROM customers WHERE \(whereClause) ORDER BY email LIMIT \(bind: page.limit + 1)"
            ).all()
            return Page(fetched: try rows.map(Self.customer(from:)), limit: page.limit) { [$0.email] }
        }
    }

    /// Disables (`disabled`) or enables account `id`, with its event in the same transaction; `nil`
    /// when there is no such account. Idempotent: an account already so is answered as it is, and no
    /// event is written.
    public func setDisabled(id: String, _ disabled: Bool, now: Date = .storageNow) async throws -> Customer? {
        try await database.transaction { db in
            guard
                var customer = try await db.raw("SELECT * FROM customers WHERE id = \(bind: id)").first()
                    .map(Self.customer(from:))
            else { return nil }
            guard (customer.disabledAt != nil) != disabled else { return customer }
            customer.disabledAt = disabled ? now : nil
            let stamp: Int64? = disabled ? now.microsecondsSince1970 : nil
            try await db.raw("UPDATE customers SET disabled_at = \(bind: stamp) WHERE id = \(bind: id)").run()
            if disabled {
                try await Outbox.append(CustomerDisabled(customerId: id, disabledAt: now), in: db)
            } else {
                try await Outbox.append(CustomerEnabled(customerId: id, enabledAt: now), in: db)
            }
            return customer
        }
    }

    /// The ids of the accounts disabled since `since` (those whose tokens may still be unexpired).
    public func disabledIDs(since: Date) async throws -> [String] {
        try await database.read { db in
            try await db.raw(
                "SELECT id FROM customers WHERE disabled_at >= \(bind: since.microsecondsSince1970) ORDER BY id"
            ).all().map { try $0.decode(column: "id", as: String.self) }
        }
    }

    /// The newest signing key, created on first use.
    public func signingKey(now: Date = .storageNow) async throws -> (id: String, key: Curve25519.Signing.PrivateKey) {
        try await database.transaction { db in
            if let row = try await db.raw("SELECT kid, private_key FROM signing_keys ORDER BY created_at DESC LIMIT 1")
                .first(),
                let raw = Data(base64Encoded: try row.decode(column: "private_key", as: String.self))
            {
                return (
                    try row.decode(column: "kid", as: String.self),
                    try Curve25519.Signing.PrivateKey(rawRepresentation: raw)
                )
            }
            let key = Curve25519.Signing.PrivateKey()
            let kid = "k-" + UUIDv7.make(at: now)
            try await db.raw(
                """
                INSERT INTO signing_keys (kid, private_key, created_at)
                VALUES (\(bind: kid), \(bind: key.rawRepresentation.base64EncodedString()), \(bind: now.microsecondsSince1970))
                """
            ).run()
            return (kid, key)
        }
    }

    /// Every signing key's public half, for the JWKS.
    public func publicKeys() async throws -> [String: Curve25519.Signing.PublicKey] {
        try await database.read { db in
            var keys: [String: Curve25519.Signing.PublicKey] = [:]
            for row in try await db.raw("SELECT kid, private_key FROM signing_keys").all() {
                guard let raw = Data(base64Encoded: try row.decode(column: "private_key", as: String.self)) else {
                    continue
                }
                keys[try row.decode(column: "kid", as: String.self)] = try Curve25519.Signing.PrivateKey(
                    rawRepresentation: raw
                ).publicKey
            }
            return keys
        }
    }

    private static func customer(from row: any SQLRow) throws -> Customer {
        Customer(
            id: try row.decode(column: "id", as: String.self),
            email: try row.decode(column: "email", as: String.self),
            name: try row.decode(column: "name", as: String.self),
            role: try row.decode(enum: "role", as: Role.self),
            createdAt: Date(microsecondsSince1970: try row.decode(column: "created_at", as: Int64.self)),
            disabledAt: try row.decode(column: "disabled_at", as: Int64?.self).map(Date.init(microsecondsSince1970:))
        )
    }
}
