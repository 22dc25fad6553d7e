import Foundation

/// Verifies the bearer token of the current request and checks roles: every service does this itself.
public struct Authenticator: Sendable {
    private let keys: KeyRing

    public init(keys: KeyRing) {
        self.keys = keys
    }

    /// The caller of the current request, or a 401 problem.
    public func principal() async throws(Problem) -> Principal {
        guard let header = RequestScope.current?.authorization else {
            throw .unauthenticated()
        }
        guard header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw .unauthenticated("The Authorization header must be `Bearer <token>`.")
        }
        return try await verify(header.dropFirst(7).trimmed)
    }

    /// The caller, if the request carries a valid token; `nil` for anonymous requests.
    public func optionalPrincipal() async -> Principal? {
        try? await principal()
    }

    /// The caller, who must have one of `roles`; else 401 or 403.
    public func require(_ roles: Role...) async throws(Problem) -> Principal {
        let principal = try await principal()
        guard roles.contains(principal.role) else { throw .forbidden() }
        return principal
    }

    /// Verifies a raw token (once: a verified token is remembered until it expires, ``VerifiedTokens``).
    public func verify(_ token: String) async throws(Problem) -> Principal {
        do {
            let claims: AccessTokenClaims
            if let remembered = keys.verified.claims(of: token, currentKey: keys.knownKey(id:)) {
                claims = remembered
            } else {
                let keyID = try AccessToken.keyID(of: token)
                guard let key = await keys.key(id: keyID) else { throw AccessToken.Failure.unknownKey }
                claims = try AccessToken.verify(token, key: key)
                keys.verified.remember(token, keyID: keyID, key: key, claims: claims)
            }
            guard !keys.isRevoked(claims.sub) else { throw AccessToken.Failure.revoked }
            return Principal(subject: claims.sub, email: claims.email, role: claims.role)
        } catch AccessToken.Failure.revoked {
            throw Problem(
                status: .unauthorized, code: "auth.account_disabled", title: "Unauthenticated",
                detail: "This account is disabled.")
        } catch AccessToken.Failure.expired {
            throw .unauthenticated("The token has expired; get a new one from /api/v1/auth/token.")
        } catch {
            throw .unauthenticated("The token is not valid.")
        }
    }
}
