import Crypto
import Customers
import Foundation
import IntegrationEvents
import Messaging
import SQLKit
import ServiceKit
import Storage
import Testing
import TestSupport

@Suite("Customers store on both engines")
struct CustomersStoreTests {
    @Test(arguments: Engine.allCases)
    func registeringStoresTheAccountOnceAndPublishesIt(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let store = CustomersStore(database: database)
            try await database.migrate(CustomersService.self, logger: TestDatabase.logger)
            let registration = try Registration(email: "Ann@Example.com", name: "Ann", password: "0123456789")
            let customer = try await store.register(registration, role: .customer, passwordHash: "hash")
            #expect(customer.email == "ann@example.com")
            let found = try #require(try await store.credentials(email: "ann@example.com"))
            #expect(found.0 == customer)
            #expect(found.passwordHash == "hash")
            do {
                _ = try await store.register(registration, role: .admin, passwordHash: "other")
                Issue.record("a duplicate email was accepted")
            } catch let problem as Problem {
                #expect(problem.code == "customer.email_taken")
            }
            let rows = try await database.read { db in try await db.raw("SELECT type, data FROM outbox").all() }
            #expect(rows.count == 1)
            let event = try EventCoding.decoder.decode(
                CustomerRegistered.self, from: Data(try rows[0].decode(column: "data", as: String.self).utf8)
            )
            #expect(event.customerId == customer.id)
            #expect(event.role == "customer")
        }
    }

    @Test(arguments: Engine.allCases)
    func theSigningKeyIsCreatedOnceAndKept(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            let store = CustomersStore(database: database)
            try await database.migrate(CustomersService.self, logger: TestDatabase.logger)
            let first = try await store.signingKey()
            let second = try await store.signingKey()
            #expect(first.id == second.id)
            #expect(first.key.rawRepresentation == second.key.rawRepresentation)
            #expect(try await store.publicKeys()[first.id]?.rawRepresentation == first.key.publicKey.rawRepresentation)
        }
    }

    @Test(arguments: Engine.allCases)
    func aReplicaThatLoadedItsKeysEarlierVerifiesTokensSignedWithANewerKey(engine: Engine) async throws {
        try await TestDatabase.with(engine) { database in
            try await database.migrate(CustomersService.self, logger: TestDatabase.logger)
            // Replica A starts first and loads the key ring from the database.
            let ringA = KeyRing(refresh: CustomersService.tokenKeys(in: database))
            let replicaA = CustomersService(
                context: ServiceContext(
                    database: database, keys: ringA, settings: Self.fastHashing, logger: TestDatabase.logger))
            try await replicaA.prepare()
            // Replica B (or a key rotation) adds a newer key, which then signs every token.
            let newer = Curve25519.Signing.PrivateKey()
            try await database.transaction { db in
                try await db.raw(
                    """
                    INSERT INTO signing_keys (kid, private_key, created_at)
                    VALUES ('k-newer', \(bind: newer.rawRepresentation.base64EncodedString()),
                            \(bind: Date().addingTimeInterval(60).microsecondsSince1970))
                    """
                ).run()
            }
            _ = try await replicaA.identity.register(email: "ann@example.com", name: "Ann", password: "correct-horse")
            let (token, _) = try await replicaA.identity.login(
                email: "ann@example.com", password: "correct-horse", address: nil)
            let principal = try await Authenticator(keys: ringA).verify(token)
            #expect(principal.email == "ann@example.com")
        }
    }

    static var fastHashing: ServiceSettings {
        var settings = ServiceSettings()
        settings.options[CustomersService.bcryptCost.name] = "4"
        return settings
    }
}
