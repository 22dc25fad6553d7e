import Customers
import Foundation
import ServiceKit
import Testing

@Suite("Identity rules")
struct IdentityRulesTests {
    @Test(arguments: [
        ("  Ann@Example.COM ", "ann@example.com"), ("a.b+c@sub.example.org", "a.b+c@sub.example.org"),
    ])
    func emailsAreNormalised(input: String, expected: String) {
        #expect(Email.normalize(input) == expected)
    }

    @Test(arguments: [
        "", "plain", "@example.com", "a@b", "a@.com", "a@example.", "a b@example.com", "a@@example.com",
        "a@exa..mple.com",
    ])
    func malformedEmailsAreRefused(input: String) {
        #expect(Email.normalize(input) == nil)
    }

    @Test func registrationsReportEveryBadField() {
        do {
            _ = try Registration(email: "nope", name: "", password: "short")
            Issue.record("a bad registration passed")
        } catch {
            #expect(error.status == 422)
            #expect((error.errors ?? []).map(\.field) == ["email", "name", "password"])
        }
        #expect(throws: Problem.self) {
            try Registration(email: "a@example.com", name: "A", password: String(repeating: "é", count: 1025))
        }
        #expect(throws: Never.self) {
            try Registration(email: "a@example.com", name: "A", password: String(repeating: "é", count: 40))
        }
        #expect(throws: Never.self) { try Registration(email: "a@example.com", name: "A", password: "0123456789") }
    }

    @Test func theThrottleLimitsPerPairPerAccountAndPerAddressAndForgivesSuccess() {
        let throttle = LoginThrottle(limits: .init(perPair: 3, perAccount: 4, perAddress: 5, window: 60))
        let start = Date(timeIntervalSince1970: 1_000)
        for _ in 0..<3 { throttle.recordFailure(email: "a@x.io", address: "10.0.0.1", now: start) }
        #expect(throttle.retryAfter(email: "a@x.io", address: "10.0.0.1", now: start) == 60)
        // Someone elsewhere cannot lock the account with a few attempts...
        #expect(throttle.retryAfter(email: "a@x.io", address: "10.0.0.2", now: start) == nil)
        // ...but guessing spread over addresses meets the account's ceiling.
        throttle.recordFailure(email: "a@x.io", address: "10.0.0.2", now: start)
        #expect(throttle.retryAfter(email: "a@x.io", address: "10.0.0.3", now: start) == 60)
        #expect(throttle.retryAfter(email: "b@x.io", address: "10.0.0.1", now: start) == nil)
        throttle.recordFailure(email: "b@x.io", address: "10.0.0.1", now: start)
        throttle.recordFailure(email: nil, address: "10.0.0.1", now: start)
        #expect(throttle.retryAfter(email: "c@x.io", address: "10.0.0.1", now: start.addingTimeInterval(10)) == 50)
        #expect(throttle.retryAfter(email: "a@x.io", address: nil, now: start.addingTimeInterval(61)) == nil)
        throttle.recordFailure(email: "d@x.io", address: nil, now: start)
        throttle.recordSuccess(email: "d@x.io", address: nil)
        #expect(throttle.retryAfter(email: "d@x.io", address: nil, now: start) == nil)
    }

    @Test func theThrottleHoldsABoundedNumberOfKeysAndCheckingStoresNothing() {
        let throttle = LoginThrottle(limits: .init(window: 900, maxKeys: 1_000))
        let start = Date(timeIntervalSince1970: 1_000)
        for index in 0..<10_000 {
            let email = "user\(index)@example.com"
            _ = throttle.retryAfter(email: email, address: "10.0.\(index % 200).1", now: start)
            throttle.recordFailure(email: email, address: "10.0.\(index % 200).1", now: start)
        }
        #expect(throttle.keyCount <= 1_000)
        #expect(throttle.keyBytes < 100_000)
        // Keys of the latest failures survive eviction.
        #expect(throttle.keyCount > 500)
    }

    @Test func passwordHashingIsBoundedAndRefusesWhatWouldOnlyQueue() async throws {
        let hasher = PasswordHasher(cost: 8, concurrency: 1, queueLimit: 2)
        let outcomes = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<12 {
                group.addTask {
                    do {
                        _ = try await hasher.hash("correct-horse")
                        return 201
                    } catch let problem as Problem {
                        return problem.status
                    } catch {
                        return 500
                    }
                }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(outcomes.contains(201))
        #expect(outcomes.contains(503))
        #expect(!outcomes.contains(500))
        let long = String(repeating: "passphrase ", count: 20)
        let hash = try await PasswordHasher(cost: 4).hash(long)
        #expect(try await PasswordHasher(cost: 4).verify(long, hash: hash))
        #expect(try await !PasswordHasher(cost: 4).verify(long + "!", hash: hash))
    }
}
