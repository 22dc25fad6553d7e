import Foundation
import ServiceKit
import Synchronization

/// What GraphQL's clients hold and spend, across HTTP and WebSocket: each client's budget of calls to
/// the services (a token bucket per address, ``QueryLimits/callsPerSecond``), and the subscriptions open
/// per account and in the process.
public final class GraphQLClients: Sendable {
    public let limits: QueryLimits

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    private struct State {
        var buckets: [String: Bucket] = [:]
        var subscriptions = KeyedCounts()
        var openSubscriptions = 0
        var operations = KeyedCounts()
    }

    private let state = Mutex(State())
    /// The operations executing in the process, and those waiting for a turn.
    private let executing: WaitingSlots
    /// The most clients whose budgets are held; when full, the full (unspent) buckets are forgotten.
    private let maxClients = 100_000

    public init(limits: QueryLimits = .init()) {
        self.limits = limits
        self.executing = WaitingSlots(
            concurrency: limits.maxConcurrentOperations, queueLimit: limits.maxWaitingOperations)
    }

    /// Why an operation was not run.
    enum Refusal: Error {
        /// The client has ``QueryLimits/maxOperationsPerClient`` running or waiting.
        case clientBusy
        /// The process has as many operations waiting as it lets wait.
        case processBusy
    }

    /// Runs `body` as one of `client`'s operations: in its turn among the process's operations, and
    /// only while the client has fewer than its limit running or waiting. An operation admitted
    /// otherwise (`client` `nil`: a WebSocket's, counted among its account's subscriptions) only waits
    /// for its turn.
    func operation<T: Sendable>(for client: String?, _ body: () async -> T) async -> Result<T, Refusal> {
        guard let client else {
            guard let value = await executing.run(waitsAlways: true, body) else { return .failure(.processBusy) }
            return .success(value)
        }
        let admitted = state.withLock { $0.operations.enter(client, limit: limits.maxOperationsPerClient) }
        guard admitted else { return .failure(.clientBusy) }
        defer {
            state.withLock { $0.operations.leave(client) }
        }
        guard let value = await executing.run(body) else { return .failure(.processBusy) }
        return .success(value)
    }

    /// Takes `calls` from `client`'s budget; when it does not hold them, nothing is taken and the
    /// answer is the seconds until it will.
    func spend(_ calls: Int, client: String, now: ContinuousClock.Instant = .now) -> Int? {
        guard calls > 0 else { return nil }
        let rate = Double(max(1, limits.callsPerSecond))
        let burst = Double(max(limits.callBurst, limits.maxCalls))
        return state.withLock { state in
            if state.buckets[client] == nil, state.buckets.count >= maxClients {
                state.buckets = state.buckets.filter {
                    $0.value.tokens + rate * (now - $0.value.updated).seconds < burst
                }
            }
            var bucket = state.buckets[client] ?? Bucket(tokens: burst, updated: now)
            bucket.tokens = min(burst, bucket.tokens + rate * (now - bucket.updated).seconds)
            bucket.updated = now
            defer { state.buckets[client] = bucket }
            guard bucket.tokens >= Double(calls) else {
                return max(1, Int(((Double(calls) - bucket.tokens) / rate).rounded(.up)))
            }
            bucket.tokens -= Double(calls)
            return nil
        }
    }

    /// Takes `calls` more (a query that called more than estimated), even into debt, or gives back.
    func adjust(_ calls: Int, client: String) {
        guard calls != 0 else { return }
        state.withLock { state in
            guard var bucket = state.buckets[client] else { return }
            bucket.tokens -= Double(calls)
            state.buckets[client] = bucket
        }
    }

    /// Opens a subscription for `account`; `false` when the account or the process holds its limit.
    func openSubscription(for account: String) -> Bool {
        state.withLock { state in
            guard state.openSubscriptions < limits.maxSubscriptions,
                state.subscriptions.enter(account, limit: limits.maxSubscriptionsPerAccount)
            else { return false }
            state.openSubscriptions += 1
            return true
        }
    }

    func closeSubscription(for account: String) {
        state.withLock { state in
            state.openSubscriptions -= 1
            state.subscriptions.leave(account)
        }
    }

    /// Subscriptions open now.
    public var openSubscriptions: Int { state.withLock { $0.openSubscriptions } }

    /// Whom a request counts against: the address (an IPv6 /64 as one).
    static func client(address: String?) -> String {
        "address:" + (address.map(ClientAddress.group) ?? "-")
    }

    /// The account a bearer credential names (its `sub`, read without verifying: the services verify it
    /// on every call, and a subscription whose first answer fails holds nothing), or the address.
    static func account(authorization: String?, address: String?) -> String {
        guard let authorization, authorization.count > 7, authorization.prefix(7).lowercased() == "bearer " else {
            return client(address: address)
        }
        let parts = authorization.dropFirst(7).split(separator: ".")
        guard parts.count == 3, let payload = Base64URL.decode(String(parts[1])),
            let claims = try? JSONDecoder().decode(Subject.self, from: payload)
        else { return client(address: address) }
        return "account:\(claims.sub)"
    }

    private struct Subject: Decodable {
        let sub: String
    }
}

extension Duration {
    /// The duration in seconds, as a fraction.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
