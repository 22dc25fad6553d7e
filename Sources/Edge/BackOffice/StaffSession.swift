import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import ServiceKit

/// A signed-in staff member: the access token the identity service issued, kept in an `HttpOnly`,
/// `SameSite=Strict` cookie scoped to `/admin` (and `Secure` over TLS). The services verify the token
/// on every call; what the back office reads of it here (email, role) only shapes the pages.
struct StaffSession: Sendable {
    static let cookie = "sprocket_admin"
    /// The sign-in form's own CSRF cookie: a random value the form must echo (no session exists yet).
    static let signInCookie = "sprocket_admin_signin"

    let token: String
    let email: String
    let role: String

    /// The session in `request`'s cookie, if it holds a staff or admin token that has not expired.
    init?(request: Request, now: Date = Date()) {
        guard let token = request.cookies[Self.cookie]?.value, let claims = Self.claims(of: token),
            claims.role >= .staff, Double(claims.exp) > now.timeIntervalSince1970
        else { return nil }
        self.token = token
        self.email = claims.email
        self.role = claims.role.rawValue
    }

    /// The token every form of this session carries: derived from the token, which only the browser's
    /// cookie holds (a cross-site page can neither read the cookie nor compute this).
    var csrf: String { Self.csrf(for: token) }

    static func csrf(for secret: String) -> String {
        Base64URL.encode(Data(SHA256.hash(data: Data(("sprocket-admin-csrf:" + secret).utf8))))
    }

    /// Whether `submitted` is this session's CSRF token (compared in constant time).
    func accepts(csrf submitted: String?) -> Bool {
        guard let submitted else { return false }
        return Self.constantTimeEqual(Array(submitted.utf8), Array(csrf.utf8))
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The session cookie for `token`, living as long as the token; `Secure` when the browser came over TLS.
    static func cookie(token: String, maxAge: Int, secure: Bool) -> Cookie {
        Cookie(
            name: cookie, value: token, maxAge: maxAge, path: "/admin", secure: secure, httpOnly: true,
            sameSite: .strict)
    }

    /// A cookie that removes `name`.
    static func expired(_ name: String, secure: Bool) -> Cookie {
        Cookie(name: name, value: "", maxAge: 0, path: "/admin", secure: secure, httpOnly: true, sameSite: .strict)
    }

    /// A fresh random value for the sign-in form's CSRF cookie.
    static func randomToken() -> String {
        Base64URL.encode(Data((0..<32).map { _ in UInt8.random(in: .min ... .max) }))
    }

    /// Whether the browser reached the process over TLS (directly, or through a proxy that says so).
    static func overTLS(_ request: Request) -> Bool {
        request.uri.scheme == .https
            || request.headers[.xForwardedProto]?.lowercased() == "https"
    }

    /// The claims of a JWT, read without verifying it (the services verify it on every call).
    private static func claims(of token: String) -> AccessTokenClaims? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let payload = Base64URL.decode(parts[1]) else { return nil }
        return try? JSONDecoder().decode(AccessTokenClaims.self, from: payload)
    }
}
