import Foundation
import Synchronization

/// Counts failed logins per account and per client address in a sliding window, and says when to refuse.
///
/// In-process memory: each replica counts on its own (documented in the README). A success clears
/// the account's count.
public final class LoginThrottle: Sendable {
    public struct Limits: Sendable {
        public var perAccount: Int
        public var perAddress: Int
        public var window: TimeInterval

        public init(perAccount: Int = 5, perAddress: Int = 20, window: TimeInterval = 900) {
            self.perAccount = perAccount
            self.perAddress = perAddress
            self.window = window
        }
    }

    private let limits: Limits
    private let failures = Mutex<[String: [Date]]>([:])

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Seconds to wait before another attempt for `email` from `address`, or `nil` when allowed.
    public func retryAfter(email: String, address: String?, now: Date = Date()) -> Int? {
        failures.withLock { failures in
            var waits: [TimeInterval] = []
            for (key, limit) in keys(email: email, address: address) {
                let recent = (failures[key] ?? []).filter { now.timeIntervalSince($0) < limits.window }
                failures[key] = recent
                if recent.count >= limit, let oldest = recent.first {
                    waits.append(limits.window - now.timeIntervalSince(oldest))
                }
            }
            return waits.max().map { max(1, Int($0.rounded(.up))) }
        }
    }

    /// Records a failed attempt.
    public func recordFailure(email: String, address: String?, now: Date = Date()) {
        failures.withLock { failures in
            for (key, _) in keys(email: email, address: address) { failures[key, default: []].append(now) }
        }
    }

    /// Clears the account's failures after a successful login.
    public func recordSuccess(email: String) {
        _ = failures.withLock { $0.removeValue(forKey: "account:\(email)") }
    }

    private func keys(email: String, address: String?) -> [(String, Int)] {
        var keys = [("account:\(email)", limits.perAccount)]
        if let address { keys.append(("address:\(address)", limits.perAddress)) }
        return keys
    }
}
