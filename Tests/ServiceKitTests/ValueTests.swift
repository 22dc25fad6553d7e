import Crypto
import Foundation
import ServiceKit
import Testing

@Suite("ServiceKit values")
struct ServiceKitValueTests {
    @Test(arguments: [
        ("12.50", "EUR", Int64(1250)), ("12.5", "EUR", 1250), ("0", "EUR", 0), ("7", "JPY", 7), ("1.005", "KWD", 1005),
    ])
    func moneyParsesExactDecimals(text: String, currency: String, minor: Int64) throws {
        let money = try #require(Money(decimal: text, currency: currency))
        #expect(money.minorUnits == minor)
    }

    @Test(arguments: ["", "-1", "1.234", "1,50", "abc", "1.", ".5", "1e3", "99999999999999"])
    func moneyRefusesInexactOrNegativeAmounts(text: String) {
        #expect(Money(decimal: text, currency: "EUR") == nil)
    }

    @Test func moneyFormatsWithTheCurrencysDecimals() throws {
        #expect(Money(minorUnits: 1250, currency: "EUR").decimal == "12.50")
        #expect(Money(minorUnits: 5, currency: "EUR").decimal == "0.05")
        #expect(Money(minorUnits: -5, currency: "EUR").decimal == "-0.05")
        #expect(Money(minorUnits: 7, currency: "JPY").decimal == "7")
        let json = try JSONEncoder().encode(Money(minorUnits: 3990, currency: "EUR"))
        #expect(try JSONDecoder().decode(Money.self, from: json) == Money(minorUnits: 3990, currency: "EUR"))
    }

    @Test func accessTokensVerifyOnlyWithTheirKeyAndBeforeExpiry() throws {
        let key = Curve25519.Signing.PrivateKey()
        let now = Date()
        let claims = AccessTokenClaims(
            sub: "c-1", email: "a@example.com", role: .staff, iat: Int(now.timeIntervalSince1970),
            exp: Int(now.timeIntervalSince1970) + 60
        )
        let token = try AccessToken.sign(claims, keyID: "k1", key: key)
        #expect(try AccessToken.keyID(of: token) == "k1")
        #expect(try AccessToken.verify(token, key: key.publicKey, now: now) == claims)
        #expect(throws: AccessToken.Failure.badSignature) {
            try AccessToken.verify(token, key: Curve25519.Signing.PrivateKey().publicKey, now: now)
        }
        #expect(throws: AccessToken.Failure.expired) {
            try AccessToken.verify(token, key: key.publicKey, now: now.addingTimeInterval(120))
        }
        var parts = token.split(separator: ".").map(String.init)
        let forged = AccessTokenClaims(
            sub: "c-1", email: "a@example.com", role: .admin, iat: claims.iat, exp: claims.exp)
        parts[1] = Base64URL.encode(try JSONEncoder().encode(forged))
        #expect(throws: AccessToken.Failure.badSignature) {
            try AccessToken.verify(parts.joined(separator: "."), key: key.publicKey, now: now)
        }
        #expect(throws: AccessToken.Failure.malformed) { try AccessToken.keyID(of: "not-a-token") }
    }

    @Test func pageRequestsValidateLimitAndCursor() throws {
        #expect(try PageRequest(limit: nil, cursor: nil, keyCount: 1) == PageRequest(limit: 50, after: []))
        let cursor = PageRequest.cursor(after: ["BRK-1"])
        #expect(try PageRequest(limit: 10, cursor: cursor, keyCount: 1) == PageRequest(limit: 10, after: ["BRK-1"]))
        #expect(throws: Problem.self) { try PageRequest(limit: 0, cursor: nil, keyCount: 1) }
        #expect(throws: Problem.self) { try PageRequest(limit: 201, cursor: nil, keyCount: 1) }
        do {
            _ = try PageRequest(limit: 10, cursor: "no-separator", keyCount: 2)
            Issue.record("a bad cursor was accepted")
        } catch {
            #expect(error.errors?.first?.field == "cursor")
            #expect(error.status == 422)
        }
    }

    @Test func pagesSayWhetherMoreFollow() {
        let full = Page(fetched: [1, 2, 3], limit: 2) { [String($0)] }
        #expect(full.items == [1, 2])
        #expect(full.nextCursor == PageRequest.cursor(after: ["2"]))
        let last = Page(fetched: [1, 2], limit: 2) { [String($0)] }
        #expect(last.nextCursor == nil)
    }

    @Test func datesAreWrittenAsFoundationsISO8601FormatterWritesThem() throws {
        let foundation = ISO8601DateFormatter()
        var generator = SystemRandomNumberGenerator()
        let edges: [Double] = [
            0, -1, -0.5, -0.0004, 59.999, 59.9996, 86_399.9, 31_452_869_822.999657, 951_782_400, 253_402_300_799,
            1_780_000_000.25,
        ]
        let random = (0..<10_000).map { _ in Double.random(in: -12_212_553_600...253_402_300_799, using: &generator) }
        for interval in edges + random {
            let date = Date(timeIntervalSince1970: interval)
            #expect(RFC3339.string(from: date) == foundation.string(from: date), "\(interval)")
        }
        // Before 1583 the transcoder leaves the date to Foundation, which writes the Julian calendar's.
        for interval in [-62_135_596_800, -20_000_000_000, 0, 1_780_000_000] as [Double] {
            let date = Date(timeIntervalSince1970: interval)
            #expect(try RFC3339DateTranscoder().encode(date) == foundation.string(from: date))
        }
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: 253_402_300_800)) == nil)
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: -62_135_596_800)) == nil)
        #expect(RFC3339.string(from: Date(timeIntervalSince1970: -12_212_553_600)) == "1583-01-01T00:00:00Z")
    }
}
