import Foundation
import ServiceKit
import Synchronization

/// Counts failed logins in a sliding window and says when to refuse, so that guessing is slow and
/// nobody can lock a chosen account out by failing on purpose.
///
/// - **Per source** (an address; an IPv6 /64 counts as one): after `perAddress` failures, for any
///   account, the source is refused until the oldest failure leaves the window. Attacking sources are
///   throttled hard.
/// - **Per account and source**: after `perPair` failures, that source is refused for that account.
/// - **Per account**: after `accountGuard` failures from anywhere, the account is *guarded*: a source
///   that has failed for it even once is refused for it, and each further failure is answered slowly
///   (``failureDelay``). The account itself is never locked: its owner, logging in from a source that
///   has not failed, gets in with the right password.
///
/// Memory is bounded: at most `maxKeys` keys, each holding at most its limit of timestamps; when full,
/// expired keys are swept and then the oldest keys are dropped. Only checking never stores anything.
/// In-process memory: each replica counts on its own (documented in the README). A success clears the
/// pair's count.
public final class LoginThrottle: Sendable {
    public struct Limits: Sendable {
        public var perPair: Int
        public var accountGuard: Int
        public var perAddress: Int
        public var window: TimeInterval
        public var maxKeys: Int
        /// How long a failed attempt on a guarded account waits before it is answered.
        public var failureDelay: Duration

        public init(
            perPair: Int = 5, accountGuard: Int = 10, perAddress: Int = 20, window: TimeInterval = 900,
            maxKeys: Int = 100_000, failureDelay: Duration = .seconds(1)
        ) {
            self.perPair = perPair
            self.accountGuard = accountGuard
            self.perAddress = perAddress
            self.window = window
            self.maxKeys = maxKeys
            self.failureDelay = failureDelay
        }
    }

    private struct Entry {
        var failures: [Date]
        var lastTouched: Date
    }

    public let limits: Limits
    private let entries = Mutex<[String: Entry]>([:])

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// How many keys are held (for tests and metrics).
    public var keyCount: Int { entries.withLock { $0.count } }

    /// The total length of the held keys in bytes (for tests and metrics).
    public var keyBytes: Int { entries.withLock { $0.keys.reduce(0) { $0 + $1.utf8.count } } }

    /// Seconds to wait before another attempt for `email` from `address`, or `nil` when allowed.
    public func retryAfter(email: String?, address: String?, now: Date = Date()) -> Int? {
        let source = address.map(ClientAddress.group)
        return entries.withLock { entries in
            var waits: [TimeInterval] = []
            func check(_ key: String, limit: Int) {
                let recent = recentFailures(entries[key], now: now)
                if recent.count >= limit, let oldest = recent.first {
                    waits.append(limits.window - now.timeIntervalSince(oldest))
                }
            }
            if let source { check("address:\(source)", limit: limits.perAddress) }
            if let email {
                let guarded = recentFailures(entries["account:\(email)"], now: now).count >= limits.accountGuard
                check("pair:\(email)|\(source ?? "-")", limit: guarded ? 1 : limits.perPair)
            }
            return waits.max().map { max(1, Int($0.rounded(.up))) }
        }
    }

    /// Whether `email` has met its guard: failures on it are then answered slowly.
    public func isGuarded(email: String, now: Date = Date()) -> Bool {
        entries.withLock { recentFailures($0["account:\(email)"], now: now).count >= limits.accountGuard }
    }

    /// Records a failed attempt (`email` is `nil` when it was not a valid address at all).
    public func recordFailure(email: String?, address: String?, now: Date = Date()) {
        let source = address.map(ClientAddress.group)
        entries.withLock { entries in
            for (key, limit) in keys(email: email, source: source) {
                if entries[key] == nil, entries.count >= limits.maxKeys { makeRoom(in: &entries, now: now) }
                var entry = entries[key] ?? Entry(failures: [], lastTouched: now)
                entry.failures = (recentFailures(entry, now: now) + [now]).suffix(limit)
                entry.lastTouched = now
                entries[key] = entry
            }
        }
    }

    /// Clears the pair's failures after a successful login.
    public func recordSuccess(email: String, address: String?) {
        let source = address.map(ClientAddress.group) ?? "-"
        _ = entries.withLock { $0.removeValue(forKey: "pair:\(email)|\(source)") }
    }

    private func recentFailures(_ entry: Entry?, now: Date) -> [Date] {
        (entry?.failures ?? []).filter { now.timeIntervalSince($0) < limits.window }
    }

    /// Drops expired keys; if that frees less than a tenth of the room, drops the least recently touched.
    private func makeRoom(in entries: inout [String: Entry], now: Date) {
        entries = entries.filter { now.timeIntervalSince($0.value.lastTouched) < limits.window }
        let target = limits.maxKeys - max(1, limits.maxKeys / 10)
        guard entries.count > target else { return }
        let oldest = entries.sorted { $0.value.lastTouched < $1.value.lastTouched }.prefix(entries.count - target)
        for (key, _) in oldest { entries.removeValue(forKey: key) }
    }

    private func keys(email: String?, source: String?) -> [(String, Int)] {
        var keys: [(String, Int)] = []
        if let email {
            keys.append(("pair:\(email)|\(source ?? "-")", limits.perPair))
            keys.append(("account:\(email)", limits.accountGuard))
        }
        if let source { keys.append(("address:\(source)", limits.perAddress)) }
        return keys
    }
}
