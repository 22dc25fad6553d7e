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

    @Test func theThrottleLimitsPerPairAndPerAddressAndForgivesSuccess() {
        let throttle = LoginThrottle(limits: .init(perPair: 3, accountGuard: 4, perAddress: 5, window: 60))
        let start = Date(timeIntervalSince1970: 1_000)
        for _ in 0..<3 { throttle.recordFailure(email: "a@x.io", address: "10.0.0.1", now: start) }
        #expect(throttle.retryAfter(email: "a@x.io", address: "10.0.0.1", now: start) == 60)
        // Someone elsewhere cannot lock the account with a few attempts.
        #expect(throttle.retryAfter(email: "a@x.io", address: "10.0.0.2", now: start) == nil)
        #expect(throttle.retryAfter(email: "b@x.io", address: "10.0.0.1", now: start) == nil)
        throttle.recordFailure(email: "b@x.io", address: "10.0.0.1", now: start)
        throttle.recordFailure(email: nil, address: "10.0.0.1", now: start)
        // Five failures from one address, whatever the accounts: the address waits.
        #expect(throttle.retryAfter(email: "c@x.io", address: "10.0.0.1", now: start.addingTimeInterval(10)) == 50)
        #expect(throttle.retryAfter(email: "a@x.io", address: nil, now: start.addingTimeInterval(61)) == nil)
        throttle.recordFailure(email: "d@x.io", address: nil, now: start)
        throttle.recordSuccess(email: "d@x.io", address: nil)
        #expect(throttle.retryAfter(email: "d@x.io", address: nil, now: start) == nil)
    }

    @Test func guessingFromManyAddressesGuardsTheAccountWithoutLockingItsOwnerOut() {
        let throttle = LoginThrottle(limits: .init(perPair: 5, accountGuard: 10, perAddress: 20, window: 900))
        let start = Date(timeIntervalSince1970: 1_000)
        // 100 guesses from 46 addresses, as an attacker spreading them would.
        for guess in 0..<100 {
            let address = "203.0.113.\(guess % 46)"
            if throttle.retryAfter(email: "ann@x.io", address: address, now: start) == nil {
                throttle.recordFailure(email: "ann@x.io", address: address, now: start)
            }
        }
        #expect(throttle.isGuarded(email: "ann@x.io", now: start))
        // Every address that failed is refused for the account; its owner, elsewhere, is not.
        for index in 0..<46 {
            #expect(throttle.retryAfter(email: "ann@x.io", address: "203.0.113.\(index)", now: start) != nil)
        }
        #expect(throttle.retryAfter(email: "ann@x.io", address: "198.51.100.7", now: start) == nil)
        #expect(throttle.retryAfter(email: "bob@x.io", address: "203.0.113.1", now: start) == nil)
        #expect(!throttle.isGuarded(email: "ann@x.io", now: start.addingTimeInterval(901)))
    }

    @Test func anIPv6SourceIsCountedByItsSlash64() {
        let throttle = LoginThrottle(limits: .init(perPair: 5, accountGuard: 100, perAddress: 20, window: 900))
        let start = Date(timeIntervalSince1970: 1_000)
        for host in 0..<25 {
            throttle.recordFailure(
                email: "user\(host)@x.io", address: "2001:db8:1:2::\(String(host, radix: 16))", now: start)
        }
        #expect(throttle.retryAfter(email: "new@x.io", address: "2001:db8:1:2:ffff::9", now: start) != nil)
        #expect(throttle.retryAfter(email: "new@x.io", address: "2001:db8:1:3::1", now: start) == nil)
        #expect(ClientAddress.group("2001:DB8:0001:0002:aaaa::1") == "2001:db8:1:2::/64")
        #expect(ClientAddress.group("::ffff:192.0.2.1") == "192.0.2.1")
        #expect(ClientAddress.group("192.0.2.1") == "192.0.2.1")
        #expect(ClientAddress.group("not an address") == "not an address")
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
