import Crypto
import Customers
import Foundation
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Storage
import Testing
import TestSupport

@Suite("Identity API through the router, on both engines")
struct IdentityAPITests {
    @Test(arguments: Engine.allCases)
    func registerLogInAndReadMe(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let registered = try await client.json(
                .post, "/api/v1/customers", ["email": "Ann@Example.com", "password": "correct-horse", "name": "Ann"]
            )
            #expect(registered.status == .created)
            #expect(registered.object["email"] as? String == "ann@example.com")
            #expect(registered.object["role"] as? String == "customer")
            #expect(registered.object["password"] == nil)

            let token = try await client.json(
                .post, "/api/v1/auth/token", ["email": "ANN@example.com", "password": "correct-horse"])
            #expect(token.status == .ok)
            #expect(token.object["tokenType"] as? String == "Bearer")
            let accessToken = try #require(token.object["accessToken"] as? String)

            let me = try await client.json(.get, "/api/v1/customers/me", token: accessToken)
            #expect(me.status == .ok)
            #expect(me.object["id"] as? String == registered.object["id"] as? String)

            // The token verifies with the published JWKS key alone.
            let jwks = try await client.json(.get, "/api/v1/.well-known/jwks.json")
            let key = try #require((jwks.object["keys"] as? [[String: Any]])?.first)
            #expect(key["kty"] as? String == "OKP")
            #expect(key["alg"] as? String == "EdDSA")
            let x = try #require(key["x"] as? String)
            let raw = try #require(Base64URL.decode(x))
            let claims = try AccessToken.verify(
                accessToken, key: try Curve25519.Signing.PublicKey(rawRepresentation: raw))
            #expect(claims.email == "ann@example.com")
            #expect(claims.role == .customer)
        }
    }

    @Test(arguments: Engine.allCases)
    func badRegistrationsAreRefusedAndWriteNothing(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let invalid = try await client.json(
                .post, "/api/v1/customers", ["email": "nope", "password": "short", "name": ""])
            #expect(invalid.status == .unprocessableContent)
            #expect(invalid.code == "validation.failed")
            #expect(invalid.fields == ["email", "name", "password"])
            let missing = try await client.json(.post, "/api/v1/customers", ["email": "a@example.com"])
            #expect(missing.status == .unprocessableContent)
            #expect(missing.fields == ["password", "name"])
            let wrongType = try await client.json(
                .post, "/api/v1/customers", ["email": 5, "password": "x", "name": "y"])
            #expect(wrongType.status == .unprocessableContent)
            let broken = try await client.json(.post, "/api/v1/customers", "{\"email\":")
            #expect(broken.status == .badRequest)
            #expect(broken.code == "request.malformed")
            let notJSON = try await client.json(.post, "/api/v1/customers", "[1,2]")
            #expect(notJSON.status.code >= 400 && notJSON.status.code < 500)
            let count = try await system.customers.identity.store.list(
                role: nil, query: nil, page: PageRequest(limit: 200))
            #expect(count.items.isEmpty)

            let body = ["email": "bob@example.com", "password": "correct-horse", "name": "Bob"]
            #expect(try await client.json(.post, "/api/v1/customers", body).status == .created)
            let again = try await client.json(.post, "/api/v1/customers", body)
            #expect(again.status == .conflict)
            #expect(again.code == "customer.email_taken")
        }
    }

    @Test(arguments: Engine.allCases)
    func wrongPasswordsAreRefusedThenRateLimited(engine: Engine) async throws {
        try await SystemHarness.with(engine) { _, client in
            _ = try await client.json(
                .post, "/api/v1/customers", ["email": "eve@example.com", "password": "correct-horse", "name": "Eve"])
            let unknown = try await client.json(
                .post, "/api/v1/auth/token", ["email": "who@example.com", "password": "correct-horse"])
            #expect(unknown.status == .unauthorized)
            #expect(unknown.code == "auth.invalid_credentials")
            for _ in 0..<5 {
                let wrong = try await client.json(
                    .post, "/api/v1/auth/token", ["email": "eve@example.com", "password": "wrong-password"])
                #expect(wrong.status == .unauthorized)
            }
            let limited = try await client.json(
                .post, "/api/v1/auth/token", ["email": "eve@example.com", "password": "correct-horse"])
            #expect(limited.status == .tooManyRequests)
            #expect(limited.code == "auth.rate_limited")
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 > 0)
        }
    }

    @Test(arguments: Engine.allCases)
    func tokensAndRolesAreChecked(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            #expect(try await client.json(.get, "/api/v1/customers/me").status == .unauthorized)
            #expect(try await client.json(.get, "/api/v1/customers/me", token: "abc.def.ghi").status == .unauthorized)
            let customer = try await SystemHarness.token(system, client, role: .customer)
            let admin = try await SystemHarness.token(system, client, role: .admin)
            let forbidden = try await client.json(.get, "/api/v1/customers", token: customer)
            #expect(forbidden.status == .forbidden)
            #expect(forbidden.code == "auth.forbidden")
            let list = try await client.json(.get, "/api/v1/customers?role=admin", token: admin)
            #expect(list.status == .ok)
            #expect(list.items.count == 1)
            #expect(
                try await client.json(.get, "/api/v1/customers?limit=500", token: admin).status == .unprocessableContent
            )
            // Staff find accounts too (customer service), but do not disable them.
            let staff = try await SystemHarness.token(system, client, role: .staff)
            let found = try await client.json(.get, "/api/v1/customers?q=customer-", token: staff)
            #expect(found.status == .ok && found.items.count == 1)
            let id = try #require(found.items.first?["id"] as? String)
            #expect(try await client.json(.post, "/api/v1/customers/\(id)/disable", token: staff).status == .forbidden)
        }
    }

    @Test(arguments: Engine.allCases)
    func aDisabledAccountsTokensAreRefusedAtOnceByEveryServiceAndItCannotLogIn(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            let me = try await client.json(.get, "/api/v1/customers/me", token: world.ann)
            let id = try #require(me.object["id"] as? String)
            let email = try #require(me.object["email"] as? String)
            #expect(me.object["disabled"] as? Bool == false)
            #expect(
                try await client.json(.post, "/api/v1/customers/\(id)/disable", token: world.staff).status == .forbidden
            )
            let adminID = try #require(
                try await client.json(.get, "/api/v1/customers/me", token: world.admin).object["id"] as? String)
            let own = try await client.json(.post, "/api/v1/customers/\(adminID)/disable", token: world.admin)
            #expect(own.code == "customer.cannot_disable_self")

            let disabled = try await client.json(.post, "/api/v1/customers/\(id)/disable", token: world.admin)
            #expect(disabled.status == .ok)
            #expect(disabled.object["disabled"] as? Bool == true)
            for path in ["/api/v1/customers/me", "/api/v1/orders", "/api/v1/invoices"] {
                let refused = try await client.json(.get, path, token: world.ann)
                #expect(refused.status == .unauthorized, "\(path)")
                #expect(refused.code == "auth.account_disabled", "\(path)")
            }
            let graphQL = try await GraphQLAPITests.graphQL(
                client, "{ orders { edges { node { id } } } }", token: world.ann)
            #expect(graphQL.codes == ["auth.account_disabled"])
            let login = try await client.json(
                .post, "/api/v1/auth/token", ["email": email, "password": "correct-horse"])
            #expect(login.status == .forbidden)
            #expect(login.code == "auth.account_disabled")
            // Bob is not affected; the JWKS lists Ann among the revoked, for the services elsewhere.
            #expect(try await client.json(.get, "/api/v1/orders", token: world.bob).status == .ok)
            let jwks = try await client.json(.get, "/api/v1/.well-known/jwks.json")
            #expect(jwks.object["revoked"] as? [String] == [id])

            #expect(try await client.json(.post, "/api/v1/customers/\(id)/enable", token: world.admin).status == .ok)
            #expect(try await client.json(.get, "/api/v1/orders", token: world.ann).status == .ok)
            #expect(
                try await client.json(.post, "/api/v1/auth/token", ["email": email, "password": "correct-horse"]).status
                    == .ok)
        }
    }

    @Test func anAccountDisabledByAnotherProcessIsRefusedOnceItsEventArrives() async throws {
        try await SystemHarness.with(.sqlite) { system, client in
            let token = try await SystemHarness.token(system, client, role: .customer)
            let me = try await client.json(.get, "/api/v1/customers/me", token: token)
            let id = try #require(me.object["id"] as? String)
            // As `sprocket users disable` does it: the store alone, as another process would.
            _ = try await CustomersStore(database: try system.database("customers")).setDisabled(id: id, true)
            try await system.publishPendingEvents()
            #expect(try await client.json(.get, "/api/v1/orders", token: token).code == "auth.account_disabled")
        }
    }
}
