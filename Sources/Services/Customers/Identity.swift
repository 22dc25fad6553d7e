import Crypto
import Foundation
import ServiceKit

/// Registration and login: validation, password hashing, throttling and token issuing.
public struct Identity: Sendable {
    public let store: CustomersStore
    public let hasher: PasswordHasher
    public let throttle: LoginThrottle
    /// Registrations per client address (each registration counts, successful or not).
    public let registrations: LoginThrottle
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
        self.registrations = LoginThrottle(limits: .init(perAddress: 20, window: 900))
        self.keys = keys
        self.tokenLifetime = tokenLifetime
        self.decoyHash = hasher.decoy()
    }

    /// Loads (or creates) the signing key and puts every public key in the key ring, and the disabled
    /// accounts among the revoked.
    public func prepareKeys() async throws {
        _ = try await store.signingKey()
        for (id, key) in try await store.publicKeys() { keys.insert(key, id: id) }
        keys.replaceRevoked(Set(try await store.disabledIDs(since: .distantPast)))
    }

    /// Disables (`disabled`) or enables account `id` for `admin`: its tokens are refused in this
    /// process at once, and elsewhere as its event arrives. 404 for no such account; 409 for the admin's own.
    public func setDisabled(id: String, _ disabled: Bool, by admin: Principal) async throws -> Customer {
        if disabled, admin.subject == id {
            throw Problem.conflict("customer.cannot_disable_self", "An admin cannot disable their own account.")
        }
        guard let customer = try await store.setDisabled(id: id, disabled) else {
            throw Problem.notFound("customer.not_found", "There is no account \(id).")
        }
        keys.revoke(id, disabled)
        return customer
    }

    /// The accounts whose tokens may still be unexpired though they are disabled (for the JWKS).
    public func recentlyDisabled(now: Date = Date()) async throws -> [String] {
        try await store.disabledIDs(since: now.addingTimeInterval(-tokenLifetime - 60))
    }

    /// Validates and stores a new account with `role` (and `postalAddress` as the first of its address
    /// book); 409 when the email is taken (checked before hashing, so a repeated email costs no bcrypt),
    /// 429 after too many registrations from client `address`.
    public func register(
        email: String, name: String, password: String, role: Role = .customer, postalAddress: Address? = nil,
        address: String? = nil, now: Date = Date()
    ) async throws -> Customer {
        let registration = try Registration(email: email, name: name, password: password, address: postalAddress)
        if let address {
            if let wait = registrations.retryAfter(email: nil, address: address, now: now) {
                throw Self.rateLimited(wait, "Too many registrations from this address; try again in \(wait) seconds.")
            }
            registrations.recordFailure(email: nil, address: address, now: now)
        }
        guard try await store.credentials(email: registration.email) == nil else {
            throw Problem.conflict("customer.email_taken", "An account with this email already exists.")
        }
        let hash = try await hasher.hash(registration.password)
        return try await store.register(registration, role: role, passwordHash: hash)
    }

    /// An access token for valid credentials; 401 otherwise, 429 after too many failures.
    public func login(email rawEmail: String, password: String, address: String?, now: Date = Date()) async throws -> (
        token: String, expiresAt: Date
    ) {
        let email = Email.normalize(rawEmail)
        if let wait = throttle.retryAfter(email: email, address: address, now: now) {
            throw Self.rateLimited(wait, "Too many failed logins; try again in \(wait) seconds.")
        }
        let invalid = Problem(
            status: .unauthorized, code: "auth.invalid_credentials", title: "Invalid credentials",
            detail: "The email or password is wrong.")
        guard let email else {
            // Not an email address at all: no account can match, and nothing of it is kept.
            throttle.recordFailure(email: nil, address: address, now: now)
            throw invalid
        }
        let found = try await store.credentials(email: email)
        let valid = try await hasher.verify(password, hash: found?.passwordHash ?? decoyHash)
        guard let (customer, _) = found, valid else {
            throttle.recordFailure(email: email, address: address, now: now)
            if throttle.isGuarded(email: email, now: now) { try await Task.sleep(for: throttle.limits.failureDelay) }
            throw invalid
        }
        guard customer.disabledAt == nil else {
            throw Problem(
                status: .forbidden, code: "auth.account_disabled", title: "Forbidden",
                detail: "This account is disabled; ask an administrator.")
        }
        throttle.recordSuccess(email: email, address: address)
        let (keyID, key) = try await store.signingKey()
        let expiresAt = now.addingTimeInterval(tokenLifetime)
        let claims = AccessTokenClaims(
            sub: customer.id, email: customer.email, role: customer.role,
            iat: Int(now.timeIntervalSince1970), exp: Int(expiresAt.timeIntervalSince1970)
        )
        return (try AccessToken.sign(claims, keyID: keyID, key: key), expiresAt)
    }

    /// A bcrypt hash of a random secret at the configured cost, checked when the email is unknown so
    /// that both answers take the same time.
    private let decoyHash: String

    private static func rateLimited(_ wait: Int, _ detail: String) -> Problem {
        Problem(
            status: .tooManyRequests, code: "auth.rate_limited", title: "Too many attempts", detail: detail,
            retryAfter: wait)
    }
}
