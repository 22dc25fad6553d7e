import Crypto
import Foundation
import Logging
import Synchronization

/// The public keys that access tokens may be signed with, by key id, and the accounts whose tokens are
/// refused though their signature verifies (disabled accounts).
///
/// `refresh` loads the current keys (from the customers service's database in its own process and in
/// embedded mode, from its JWKS elsewhere) when a token names an unknown key id, at most once per 10
/// seconds. A refresh replaces the set, so a removed key stops verifying; a failed one keeps the set
/// and is logged. Revocations arrive with a refresh, and at once from the customers service (in its
/// process) or its `customer.account.disabled`/`enabled` events (elsewhere).
public final class KeyRing: Sendable {
    /// What a refresh loads: the keys, and (when the source knows them) the revoked accounts.
    public struct Snapshot: Sendable {
        public var keys: [String: Curve25519.Signing.PublicKey]
        public var revoked: Set<String>?

        public init(keys: [String: Curve25519.Signing.PublicKey], revoked: Set<String>? = nil) {
            self.keys = keys
            self.revoked = revoked
        }
    }

    public typealias Refresh = @Sendable () async throws -> Snapshot

    private struct State {
        var keys: [String: Curve25519.Signing.PublicKey] = [:]
        var revoked: Set<String> = []
        /// No fetch for an unknown key before this: 10 s after one that worked, 1 s after one that failed
        /// (the keys' service was still starting: a token it signed meanwhile should not wait 10 s).
        var nextRefresh: ContinuousClock.Instant?
        /// Callers waiting for the refresh in flight (`nil`: none in flight).
        var waiters: [CheckedContinuation<Void, Never>]?
    }

    private let state = Mutex(State())
    /// Tokens verified with these keys, remembered until they expire (``Authenticator`` uses it).
    public let verified = VerifiedTokens()
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

    /// Refuses account `subject`'s tokens from now on (`false`: accepts them again).
    public func revoke(_ subject: String, _ revoked: Bool = true) {
        _ = state.withLock { revoked ? $0.revoked.insert(subject).inserted : $0.revoked.remove(subject) != nil }
    }

    /// Replaces the revoked accounts with `subjects`.
    public func replaceRevoked(_ subjects: Set<String>) {
        state.withLock { $0.revoked = subjects }
    }

    /// Whether account `subject`'s tokens are refused.
    public func isRevoked(_ subject: String) -> Bool {
        state.withLock { $0.revoked.contains(subject) }
    }

    /// Loads keys and revocations from the source now (at start, before any token names a key).
    public func refreshNow() async {
        guard let refresh else { return }
        do {
            apply(try await refresh())
        } catch {
            logger?.warning("loading the token keys failed", metadata: ["error": "\(error)"])
        }
    }

    private func apply(_ snapshot: Snapshot) {
        state.withLock { state in
            state.keys = snapshot.keys
            if let revoked = snapshot.revoked { state.revoked = revoked }
        }
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
            if let next = state.nextRefresh, ContinuousClock.now < next { return .giveUp }
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
            let fresh: Snapshot?
            do {
                fresh = try await refresh()
            } catch {
                fresh = nil
                logger?.warning("refreshing the token keys failed", metadata: ["error": "\(error)"])
            }
            if let fresh { apply(fresh) }
            let (key, waiters) = state.withLock { state in
                defer { state.waiters = nil }
                state.nextRefresh = ContinuousClock.now + (fresh == nil ? .seconds(1) : .seconds(10))
                return (state.keys[id], state.waiters ?? [])
            }
            for waiter in waiters { waiter.resume() }
            return key
        }
    }

    /// The key `id` if it is known now (no refresh).
    public func knownKey(id: String) -> Curve25519.Signing.PublicKey? {
        state.withLock { $0.keys[id] }
    }

    /// Every known key, for a JWKS document.
    public var all: [String: Curve25519.Signing.PublicKey] { state.withLock { $0.keys } }
}
