import Crypto
import Foundation
import Logging
import Synchronization

/// The public keys that access tokens may be signed with, by key id.
///
/// `refresh` loads the current keys (from the customers service's database in its own process and in
/// embedded mode, from its JWKS elsewhere) when a token names an unknown key id, at most once per 10
/// seconds. A refresh replaces the set, so a removed key stops verifying; a failed one keeps the set
/// and is logged.
public final class KeyRing: Sendable {
    public typealias Refresh = @Sendable () async throws -> [String: Curve25519.Signing.PublicKey]

    private struct State {
        var keys: [String: Curve25519.Signing.PublicKey] = [:]
        var lastRefresh: ContinuousClock.Instant?
        /// Callers waiting for the refresh in flight (`nil`: none in flight).
        var waiters: [CheckedContinuation<Void, Never>]?
    }

    private let state = Mutex(State())
    private let refresh: Refresh?
    private let logger: Logger?

    public init(logger: Logger? = nil, refresh: Refresh? = nil) {
        self.refresh = refresh
        self.logger = logger
    }

    /// Adds or replaces the key `id`.
    public func insert(_ key: Curve25519.Signing.PublicKey, id: String) {
        state.withLock { $0.keys[id] = key }
    }

    /// The key `id`, refreshing from the source once when it is unknown.
    ///
    /// Concurrent callers share one refresh: they wait for the fetch in flight rather than failing.
    public func key(id: String) async -> Curve25519.Signing.PublicKey? {
        if let key = state.withLock({ $0.keys[id] }) { return key }
        guard let refresh else { return nil }
        enum Step { case fetch, wait, giveUp }
        let step = state.withLock { state -> Step in
            if state.waiters != nil { return .wait }
            let now = ContinuousClock.now
            if let last = state.lastRefresh, now - last < .seconds(10) { return .giveUp }
            state.lastRefresh = now
            state.waiters = []
            return .fetch
        }
        switch step {
        case .giveUp:
            return nil
        case .wait:
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let inFlight = state.withLock { state -> Bool in
                    guard state.waiters != nil else { return false }
                    state.waiters?.append(continuation)
                    return true
                }
                if !inFlight { continuation.resume() }
            }
            return state.withLock { $0.keys[id] }
        case .fetch:
            let fresh: [String: Curve25519.Signing.PublicKey]?
            do {
                fresh = try await refresh()
            } catch {
                fresh = nil
                logger?.warning("refreshing the token keys failed", metadata: ["error": "\(error)"])
            }
            let (key, waiters) = state.withLock { state in
                if let fresh { state.keys = fresh }
                defer { state.waiters = nil }
                return (state.keys[id], state.waiters ?? [])
            }
            for waiter in waiters { waiter.resume() }
            return key
        }
    }

    /// Every known key, for a JWKS document.
    public var all: [String: Curve25519.Signing.PublicKey] { state.withLock { $0.keys } }
}
