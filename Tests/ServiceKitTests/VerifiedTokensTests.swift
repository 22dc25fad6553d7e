import Crypto
import Foundation
import ServiceKit
import Testing

/// A verified token is remembered until it expires, and never outlives its key or its account.
@Suite("Verified tokens")
struct VerifiedTokensTests {
    private static func token(
        _ key: Curve25519.Signing.PrivateKey, keyID: String = "k1", subject: String = "c-1", lifetime: Int = 60
    ) throws -> (String, AccessTokenClaims) {
        let now = Int(Date().timeIntervalSince1970)
        let claims = AccessTokenClaims(
            sub: subject, email: "a@example.com", role: .staff, iat: now, exp: now + lifetime)
        return (try AccessToken.sign(claims, keyID: keyID, key: key), claims)
    }

    @Test func aRememberedTokenIsTrustedUntilItExpiresAndOnlyWithItsKey() throws {
        let key = Curve25519.Signing.PrivateKey()
        let other = Curve25519.Signing.PrivateKey().publicKey
        let (token, claims) = try Self.token(key)
        let tokens = VerifiedTokens()
        #expect(tokens.claims(of: token) { _ in key.publicKey } == nil)  // never verified
        tokens.remember(token, keyID: "k1", key: key.publicKey, claims: claims)
        #expect(tokens.claims(of: token) { $0 == "k1" ? key.publicKey : nil } == claims)
        // The ring's key of that id was replaced (or removed): verify again.
        #expect(tokens.claims(of: token) { _ in other } == nil)
        tokens.remember(token, keyID: "k1", key: key.publicKey, claims: claims)
        #expect(tokens.claims(of: token) { _ in nil } == nil)
        // Past its expiry and the leeway it is gone.
        tokens.remember(token, keyID: "k1", key: key.publicKey, claims: claims)
        let later = Date(timeIntervalSince1970: Double(claims.exp + 31))
        #expect(tokens.claims(of: token, now: later) { _ in key.publicKey } == nil)
        #expect(tokens.count == 0)
    }

    @Test func aFullCacheDropsTheExpiredFirst() throws {
        let key = Curve25519.Signing.PrivateKey()
        let tokens = VerifiedTokens(capacity: 3, leeway: 0)
        let (expired, expiredClaims) = try Self.token(key, subject: "old", lifetime: -10)
        tokens.remember(expired, keyID: "k1", key: key.publicKey, claims: expiredClaims)
        var live: [(String, AccessTokenClaims)] = []
        for n in 0..<3 {
            let pair = try Self.token(key, subject: "c-\(n)")
            live.append(pair)
            tokens.remember(pair.0, keyID: "k1", key: key.publicKey, claims: pair.1)
        }
        #expect(tokens.count == 3)
        for (token, claims) in live { #expect(tokens.claims(of: token) { _ in key.publicKey } == claims) }
    }

    @Test func theAuthenticatorStillRefusesARevokedAccountsRememberedToken() async throws {
        let key = Curve25519.Signing.PrivateKey()
        let ring = KeyRing()
        ring.insert(key.publicKey, id: "k1")
        let authenticator = Authenticator(keys: ring)
        let (token, _) = try Self.token(key)
        #expect(try await authenticator.verify(token).subject == "c-1")
        #expect(ring.verified.count == 1)
        #expect(try await authenticator.verify(token).subject == "c-1")  // from memory
        ring.revoke("c-1")
        await #expect(throws: Problem.self) { try await authenticator.verify(token) }
        ring.revoke("c-1", false)
        // A new key under the same id: the remembered token no longer verifies.
        ring.insert(Curve25519.Signing.PrivateKey().publicKey, id: "k1")
        await #expect(throws: Problem.self) { try await authenticator.verify(token) }
    }
}
