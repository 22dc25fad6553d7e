import Foundation
import Hummingbird
import HummingbirdTesting
import SQLKit
import ServiceKit
import Storage
import Composition
import Testing
import TestSupport

/// Requests that used to crash, block or exhaust a process (reliability review of 2026-11-22).
@Suite("Hostile and unlucky requests, on both engines")
struct HardeningAPITests {
    @Test(arguments: Engine.allCases)
    func anOverflowingQuantityIsA422AndTheProcessKeepsServing(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            let huge = try await client.json(
                .post, "/api/v1/orders",
                OrdersAPITests.orderBody([["sku": "PAD", "quantity": 9_000_000_000_000_000_000]]), token: world.ann)
            #expect(huge.status == .unprocessableContent)
            #expect(huge.fields == ["lines.0.quantity"])
            let tooMany = try await client.json(
                .post, "/api/v1/orders",
                OrdersAPITests.orderBody((0..<20_000).map { ["sku": "S\($0)", "quantity": 1] }), token: world.ann)
            #expect(tooMany.status == .unprocessableContent)
            #expect(tooMany.fields == ["lines"])
            // The most expensive part there can be, at the largest quantity: too large to count, not a trap.
            let dear: [String: Any] = [
                "sku": "DEAR", "name": "Dear", "price": ["amount": "9999999999999.99", "currency": "EUR"],
            ]
            #expect(try await client.json(.post, "/api/v1/parts", dear, token: world.admin).status == .created)
            try await system.publishPendingEvents()
            let dearOrder = try await client.json(
                .post, "/api/v1/orders", OrdersAPITests.orderBody([["sku": "DEAR", "quantity": 10_000]]),
                token: world.ann)
            #expect(dearOrder.status == .unprocessableContent)
            #expect(dearOrder.fields == ["lines.0.quantity"])
            let fine = try await client.json(
                .post, "/api/v1/orders", OrdersAPITests.orderBody([["sku": "PAD", "quantity": 1]]), token: world.ann)
            #expect(fine.status == .created)
            #expect(try await client.json(.get, "/api/v1/orders", token: world.ann).items.count == 1)
        }
    }

    @Test(arguments: Engine.allCases)
    func aKeyWhoseFirstRequestDiedIsTakenOverAfterItsLeaseAndAnswersWithTheOneOrder(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            let body = OrdersAPITests.orderBody([["sku": "PAD", "quantity": 2]])
            let first = try await client.json(
                .post, "/api/v1/orders", body, token: world.ann, headers: [.idempotencyKey: "checkout-7"])
            let id = try #require(first.object["id"] as? String)
            // The process died after the order committed and before the response was stored: the claim
            // is left running, and its lease has run out.
            try await system.orders.store.database.transaction { db in
                try await db.raw(
                    """
                    UPDATE idempotency_keys SET state = 'running', status = NULL, body = NULL,
                        locked_until = \(bind: Date().addingTimeInterval(-1).microsecondsSince1970)
                    WHERE key = 'checkout-7'
                    """
                ).run()
            }
            let retry = try await client.json(
                .post, "/api/v1/orders", body, token: world.ann, headers: [.idempotencyKey: "checkout-7"])
            #expect(retry.status == .created)
            #expect(retry.object["id"] as? String == id)
            let again = try await client.json(
                .post, "/api/v1/orders", body, token: world.ann, headers: [.idempotencyKey: "checkout-7"])
            #expect(again.headers[.idempotentReplayed] == "true")
            #expect(again.object["id"] as? String == id)
            #expect(try await client.json(.get, "/api/v1/orders", token: world.ann).items.count == 1)
        }
    }

    @Test(arguments: Engine.allCases)
    func aClaimStillLeasedMakesTheRetryWaitAndThenSayRetryLater(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            let body = OrdersAPITests.orderBody([["sku": "PAD", "quantity": 2]])
            _ = try await client.json(
                .post, "/api/v1/orders", body, token: world.ann, headers: [.idempotencyKey: "checkout-8"])
            try await system.orders.store.database.transaction { db in
                try await db.raw(
                    """
                    UPDATE idempotency_keys SET state = 'running',
                        locked_until = \(bind: Date().addingTimeInterval(600).microsecondsSince1970)
                    WHERE key = 'checkout-8'
                    """
                ).run()
            }
            let started = ContinuousClock.now
            let busy = try await client.json(
                .post, "/api/v1/orders", body, token: world.ann, headers: [.idempotencyKey: "checkout-8"])
            #expect(busy.status == .conflict)
            #expect(busy.code == "idempotency.in_progress")
            #expect(busy.headers[.retryAfter] != nil)
            #expect(ContinuousClock.now - started >= .seconds(9))
        }
    }

    @Test func aWrongMethodOnAKnownPathIs405WithAllow() async throws {
        try await SystemHarness.with(.sqlite) { _, client in
            let wrong = try await client.json(.delete, "/api/v1/orders")
            #expect(wrong.status == .methodNotAllowed)
            #expect(wrong.headers[.allow] == "GET, POST")
            #expect(wrong.code == "route.method_not_allowed")
            #expect(wrong.headers[.contentType] == "application/problem+json")
            let patch = try await client.json(.put, "/api/v1/parts/ABC")
            #expect(patch.status == .methodNotAllowed)
            #expect(patch.headers[.allow] == "GET, PATCH")
            let options = try await client.json(.options, "/api/v1/orders/123/cancel")
            #expect(options.status == .noContent)
            #expect(options.headers[.allow] == "POST")
            #expect(try await client.json(.get, "/api/v1/nothing-here").status == .notFound)
        }
    }

    @Test func tenThousandFailedLoginsWithDistinctAndHugeEmailsLeaveTheThrottleBounded() async throws {
        try await SystemHarness.with(.sqlite) { system, client in
            let identity = system.customers.identity
            let megabyte = String(repeating: "x", count: 1 << 20) + "@example.com"
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        for index in stride(from: worker, to: 10_000, by: 4) {
                            let email = index % 100 == 0 ? megabyte + "\(index)" : "nobody\(index)@example.com"
                            do {
                                _ = try await identity.login(
                                    email: email, password: "wrong-password", address: "10.1.\(index % 50).1")
                                Issue.record("a wrong password logged in")
                            } catch let problem as Problem {
                                #expect([401, 429].contains(problem.status))
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(identity.throttle.keyCount <= 3_000)
            #expect(identity.throttle.keyBytes < 200_000)
            // Through HTTP an overlong email is refused by the contract before it reaches the throttle.
            let long = String(repeating: "x", count: 100_000) + "@example.com"
            let huge = try await client.json(.post, "/api/v1/auth/token", ["email": long, "password": "x"])
            #expect(huge.status == .unprocessableContent)
        }
    }
}
