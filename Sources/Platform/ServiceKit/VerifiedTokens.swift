import Crypto
import Foundation
import Synchronization

/// Access tokens whose signature this process has verified, remembered until they expire, so that a
/// client's next requests skip the Ed25519 verification (a client sends the same token for an hour).
///
/// A remembered token still has its expiry checked on every request, and its account's revocation (by
/// the caller); it is trusted only while the key that verified it is still the ring's key of that id, so a
/// replaced or removed key stops its tokens at once. At most `capacity` tokens are kept: when full, the
/// expired go, and if that is not enough, all of them (they are verified again as they come back).
public final class VerifiedTokens: Sendable {
    private struct Entry {
        let keyID: String
        let key: Data
        let claims: AccessTokenClaims
    }

    private let entries = Mutex<[String: Entry]>([:])
    private let capacity: Int
    /// Seconds a token is still accepted after its `exp` (``AccessToken/verify(_:key:now:leeway:)``'s).
    private let leeway: Int

    public init(capacity: Int = 10_000, leeway: Int = 30) {
        self.capacity = capacity
        self.leeway = leeway
    }

    /// The claims of `token` if it was verified before, has not expired at `now`, and `currentKey` (the
    /// ring's key for the id it was verified with) is still that key.
    public func claims(
        of token: String, now: Date = Date(), currentKey: (String) -> Curve25519.Signing.PublicKey?
    ) -> AccessTokenClaims? {
        guard let entry = entries.withLock({ $0[token] }) else { return nil }
        guard Int(now.timeIntervalSince1970) < entry.claims.exp + leeway,
            currentKey(entry.keyID)?.rawRepresentation == entry.key
        else {
            _ = entries.withLock { $0.removeValue(forKey: token) }
            return nil
        }
        return entry.claims
    }

    /// Remembers `token`, just verified with `key` (named `keyID`) as carrying `claims`.
    public func remember(
        _ token: String, keyID: String, key: Curve25519.Signing.PublicKey, claims: AccessTokenClaims, now: Date = Date()
    ) {
        let entry = Entry(keyID: keyID, key: key.rawRepresentation, claims: claims)
        let capacity = self.capacity
        let leeway = self.leeway
        entries.withLock { entries in
            if entries.count >= capacity {
                let second = Int(now.timeIntervalSince1970)
                entries = entries.filter { second < $0.value.claims.exp + leeway }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[token] = entry
        }
    }

    /// How many tokens are remembered.
    public var count: Int { entries.withLock { $0.count } }
}
