import Crypto
import Foundation
import ServiceKit

/// Registration and login: validation, password hashing, throttling and token issuing.
public struct Identity: Sendable {
    public let store: CustomersStore
    public let hasher: PasswordHasher
    public let throttle: LoginThrottle
    public let keys: KeyRing
    /// How long an access token is valid.
    public let tokenLifetime: TimeInterval

    public init(
        store: CustomersStore, hasher: PasswordHasher, throttle: LoginThrottle, keys: KeyRing,
        tokenLifetime: TimeInterval
    ) {
        self.store = store
        self.hasher = hasher
        self.throttle = throttle
        self.keys = keys
        self.tokenLifetime = tokenLifetime
    }

    /// Loads (or creates) the signing key and puts every public key in the key ring.
    public func prepareKeys() async throws {
        _ = try await store.signingKey()
        for (id, key) in try await store.publicKeys() { keys.insert(key, id: id) }
    }

    /// Validates and stores a new account with `role`.
    public func register(email: String, name: String, password: String, role: Role = .customer) async throws -> Customer
    {
        let registration = try Registration(email: email, name: name, password: password)
        let hash = try await hasher.hash(registration.password)
        return try await store.register(registration, role: role, passwordHash: hash)
    }

    /// An access token for valid credentials; 401 otherwise, 429 after too many failures.
    public func login(email rawEmail: String, password: String, address: String?, now: Date = Date()) async throws -> (
        token: String, expiresAt: Date
    ) {
        let email = Email.normalize(rawEmail) ?? rawEmail.lowercased()
        if let wait = throttle.retryAfter(email: email, address: address, now: now) {
            throw Problem(
                status: .tooManyRequests, code: "auth.rate_limited", title: "Too many attempts",
                detail: "Too many failed logins; try again in \(wait) seconds.", retryAfter: wait
            )
        }
        let found = try await store.credentials(email: email)
        let valid = try await hasher.verify(password, hash: found?.passwordHash ?? Self.decoyHash)
        guard let (customer, _) = found, valid else {
            throttle.recordFailure(email: email, address: address, now: now)
            throw Problem(
                status: .unauthorized, code: "auth.invalid_credentials", title: "Invalid credentials",
                detail: "The email or password is wrong.")
        }
        throttle.recordSuccess(email: email)
        let (keyID, key) = try await store.signingKey()
        let expiresAt = now.addingTimeInterval(tokenLifetime)
        let claims = AccessTokenClaims(
            sub: customer.id, email: customer.email, role: customer.role,
            iat: Int(now.timeIntervalSince1970), exp: Int(expiresAt.timeIntervalSince1970)
        )
        return (try AccessToken.sign(claims, keyID: keyID, key: key), expiresAt)
    }

    /// A valid bcrypt hash of a random secret, checked when the email is unknown so that both
    /// answers take the same time.
    private static let decoyHash = "$2b$12$C6UzMDM.H6dfI/f/IKxGhuOy2nJIrSUPSjjbGAtuQgCIWrUnM5Ube"
}
