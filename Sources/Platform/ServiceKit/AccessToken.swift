import Crypto
import Foundation

/// The claims of a Sprocket access token (a JWS compact JWT signed with EdDSA / Ed25519).
public struct AccessTokenClaims: Codable, Sendable, Equatable {
    public var iss: String
    public var sub: String
    public var email: String
    public var role: Role
    public var iat: Int
    public var exp: Int

    public init(iss: String = AccessToken.issuer, sub: String, email: String, role: Role, iat: Int, exp: Int) {
        self.iss = iss
        self.sub = sub
        self.email = email
        self.role = role
        self.iat = iat
        self.exp = exp
    }
}

/// Signing and verifying access tokens; the wire format is JWT with `alg: EdDSA` and a `kid`.
public enum AccessToken {
    public static let issuer = "sprocket"

    private struct Header: Codable {
        var alg: String
        var typ: String?
        var kid: String?
    }

    /// Why a token was refused.
    public enum Failure: Error, Equatable {
        case malformed
        case unsupportedAlgorithm
        case unknownKey
        case badSignature
        case expired
        case wrongIssuer
        /// Its account is disabled (``KeyRing/isRevoked(_:)``).
        case revoked
    }

    /// Signs `claims` with `key`, naming it `keyID`.
    public static func sign(_ claims: AccessTokenClaims, keyID: String, key: Curve25519.Signing.PrivateKey) throws
        -> String
    {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let header = Base64URL.encode(try encoder.encode(Header(alg: "EdDSA", typ: "JWT", kid: keyID)))
        let payload = Base64URL.encode(try encoder.encode(claims))
        let signingInput = "\(header).\(payload)"
        let signature = try key.signature(for: Data(signingInput.utf8))
        return "\(signingInput).\(Base64URL.encode(signature))"
    }

    /// The key id a token names, without verifying anything.
    public static func keyID(of token: String) throws(Failure) -> String {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let data = Base64URL.decode(parts[0]),
            let header = try? JSONDecoder().decode(Header.self, from: data)
        else { throw .malformed }
        guard header.alg == "EdDSA" else { throw .unsupportedAlgorithm }
        guard let kid = header.kid else { throw .unknownKey }
        return kid
    }

    /// Verifies `token` against `key` and its expiry at `now`, and returns its claims.
    public static func verify(
        _ token: String, key: Curve25519.Signing.PublicKey, now: Date = Date(), leeway: Int = 30
    ) throws(Failure) -> AccessTokenClaims {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = Base64URL.decode(parts[1]), let signature = Base64URL.decode(parts[2])
        else { throw .malformed }
        guard key.isValidSignature(signature, for: Data("\(parts[0]).\(parts[1])".utf8)) else { throw .badSignature }
        guard let claims = try? JSONDecoder().decode(AccessTokenClaims.self, from: payload) else { throw .malformed }
        guard claims.iss == issuer else { throw .wrongIssuer }
        guard Int(now.timeIntervalSince1970) < claims.exp + leeway else { throw .expired }
        return claims
    }
}
