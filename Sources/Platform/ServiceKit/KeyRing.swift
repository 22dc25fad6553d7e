import Crypto
import Foundation
import Synchronization

/// The public keys that access tokens may be signed with, by key id.
///
/// In embedded mode the customers service puts its keys here directly; in distributed mode
/// `refresh` loads the JWKS from the customers service, and is called again when a token names
/// an unknown key id (at most once per 10 seconds).
public final class KeyRing: Sendable {
    public typealias Refresh = @Sendable () async throws -> [String: Curve25519.Signing.PublicKey]

    private struct State {
        var keys: [String: Curve25519.Signing.PublicKey] = [:]
        var lastRefresh: ContinuousClock.Instant?
    }

    private let state = Mutex(State())
    private let refresh: Refresh?

    public init(refresh: Refresh? = nil) {
        self.refresh = refresh
    }

    /// Adds or replaces the key `id`.
    public func insert(_ key: Curve25519.Signing.PublicKey, id: String) {
        state.withLock { $0.keys[id] = key }
    }

    /// The key `id`, refreshing from the source once when it is unknown.
    public func key(id: String) async -> Curve25519.Signing.PublicKey? {
        if let key = state.withLock({ $0.keys[id] }) { return key }
        guard let refresh else { return nil }
        let due = state.withLock { state -> Bool in
            let now = ContinuousClock.now
            if let last = state.lastRefresh, now - last < .seconds(10) { return false }
            state.lastRefresh = now
            return true
        }
        guard due, let fresh = try? await refresh() else { return nil }
        return state.withLock { state in
            state.keys.merge(fresh) { _, new in new }
            return state.keys[id]
        }
    }

    /// Every known key, for a JWKS document.
    public var all: [String: Curve25519.Signing.PublicKey] { state.withLock { $0.keys } }
}
