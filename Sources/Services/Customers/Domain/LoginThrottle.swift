import Foundation
import Synchronization

/// Counts failed logins in a sliding window and says when to refuse: per (account, address) pair, per
/// address, and a higher ceiling per account.
///
/// Keying the tight limit on the pair means nobody can lock a chosen account out from elsewhere; the
/// account ceiling still bounds guessing spread over many addresses. Memory is bounded: at most
/// `maxKeys` keys, each holding at most its limit of timestamps; when full, expired keys are swept and
/// then the oldest keys are dropped. Only checking never stores anything. In-process memory: each
/// replica counts on its own (documented in the README). A success clears the pair's count.
public final class LoginThrottle: Sendable {
    public struct Limits: Sendable {
        public var perPair: Int
        public var perAccount: Int
        public var perAddress: Int
        public var window: TimeInterval
        public var maxKeys: Int

        public init(
            perPair: Int = 5, perAccount: Int = 100, perAddress: Int = 20, window: TimeInterval = 900,
            maxKeys: Int = 100_000
        ) {
            self.perPair = perPair
            self.perAccount = perAccount
            self.perAddress = perAddress
            self.window = window
            self.maxKeys = maxKeys
        }
    }

    private struct Entry {
        var failures: [Date]
        var lastTouched: Date
    }

    private let limits: Limits
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
        entries.withLock { entries in
            var waits: [TimeInterval] = []
            for (key, limit) in keys(email: email, address: address) {
                guard let entry = entries[key] else { continue }
                let recent = entry.failures.filter { now.timeIntervalSince($0) < limits.window }
                if recent.count >= limit, let oldest = recent.first {
                    waits.append(limits.window - now.timeIntervalSince(oldest))
                }
            }
            return waits.max().map { max(1, Int($0.rounded(.up))) }
        }
    }

    /// Records a failed attempt (`email` is `nil` when it was not a valid address at all).
    public func recordFailure(email: String?, address: String?, now: Date = Date()) {
        entries.withLock { entries in
            for (key, limit) in keys(email: email, address: address) {
                if entries[key] == nil, entries.count >= limits.maxKeys { makeRoom(in: &entries, now: now) }
                var entry = entries[key] ?? Entry(failures: [], lastTouched: now)
                entry.failures = (entry.failures.filter { now.timeIntervalSince($0) < limits.window } + [now])
                    .suffix(limit)
                entry.lastTouched = now
                entries[key] = entry
            }
        }
    }

    /// Clears the pair's failures after a successful login.
    public func recordSuccess(email: String, address: String?) {
        _ = entries.withLock { $0.removeValue(forKey: "pair:\(email)|\(address ?? "-")") }
    }

    /// Drops expired keys; if that frees less than a tenth of the room, drops the least recently touched.
    private func makeRoom(in entries: inout [String: Entry], now: Date) {
        entries = entries.filter { now.timeIntervalSince($0.value.lastTouched) < limits.window }
        let target = limits.maxKeys - max(1, limits.maxKeys / 10)
        guard entries.count > target else { return }
        let oldest = entries.sorted { $0.value.lastTouched < $1.value.lastTouched }.prefix(entries.count - target)
        for (key, _) in oldest { entries.removeValue(forKey: key) }
    }

    private func keys(email: String?, address: String?) -> [(String, Int)] {
        var keys: [(String, Int)] = []
        if let email {
            keys.append(("pair:\(email)|\(address ?? "-")", limits.perPair))
            keys.append(("account:\(email)", limits.perAccount))
        }
        if let address { keys.append(("address:\(address)", limits.perAddress)) }
        return keys
    }
}
