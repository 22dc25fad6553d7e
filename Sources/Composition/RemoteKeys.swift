import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import ServiceKit

/// Loads the customers service's JWKS over HTTP: how services in other processes verify tokens.
enum RemoteKeys {
    struct JWKS: Decodable {
        struct Key: Decodable {
            let kid: String
            let kty: String
            let crv: String?
            let x: String?
        }
        let keys: [Key]
        /// Accounts disabled within the last token lifetime (a member besides `keys`).
        let revoked: [String]?
    }

    /// A key ring that fetches `baseURL/api/v1/.well-known/jwks.json` when it meets an unknown key id.
    static func keyRing(customersURL baseURL: String, logger: Logger) -> KeyRing {
        KeyRing(logger: logger) {
            var request = HTTPClientRequest(url: "\(baseURL)/api/v1/.well-known/jwks.json")
            request.method = .GET
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            let body = try await response.body.collect(upTo: 1 << 20)
            let jwks = try JSONDecoder().decode(JWKS.self, from: Data(buffer: body))
            var keys: [String: Curve25519.Signing.PublicKey] = [:]
            for key in jwks.keys where key.kty == "OKP" && key.crv == "Ed25519" {
                guard let x = key.x, let raw = Base64URL.decode(x) else { continue }
                keys[key.kid] = try Curve25519.Signing.PublicKey(rawRepresentation: raw)
            }
            return KeyRing.Snapshot(keys: keys, revoked: jwks.revoked.map(Set.init))
        }
    }
}
