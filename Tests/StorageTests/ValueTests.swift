import Foundation
import Storage
import Testing

@Suite("Storage values")
struct ValueTests {
    @Test func uuidv7IsVersion7AndTimeOrdered() {
        let earlier = UUIDv7.make(at: Date(timeIntervalSince1970: 1_700_000_000))
        let later = UUIDv7.make(at: Date(timeIntervalSince1970: 1_700_000_001))
        #expect(earlier.count == 36)
        #expect(Array(earlier)[14] == "7")
        #expect(["8", "9", "a", "b"].contains(Array(earlier)[19]))
        #expect(earlier < later)
        #expect(UUID(uuidString: earlier) != nil)
        #expect(earlier.hasPrefix("018bcfe5-6800-7"))  // 1,700,000,000,000 ms = 0x018bcfe56800
        #expect(earlier == earlier.lowercased())
        let many = (0..<1_000).map { _ in UUIDv7.make(at: Date(timeIntervalSince1970: 1_700_000_000)) }
        #expect(Set(many).count == 1_000)
    }

    @Test func databaseLocationsParse() throws {
        #expect(
            try DatabaseLocation(parsing: "postgres://u:p@db.local:6432/orders?schema=s1")
                == .postgres(host: "db.local", port: 6432, user: "u", password: "p", database: "orders", schema: "s1"))
        #expect(
            try DatabaseLocation(parsing: "postgres://u@127.0.0.1/x")
                == .postgres(host: "127.0.0.1", port: 5432, user: "u", password: nil, database: "x", schema: nil))
        #expect(try DatabaseLocation(parsing: "data/catalog.sqlite") == .sqlite(path: "data/catalog.sqlite"))
        #expect(throws: DatabaseError.self) { try DatabaseLocation(parsing: "mysql://x") }
    }

    @Test func timestampsRoundTrip() throws {
        let date = Date(timeIntervalSince1970: 1_795_336_211.123)
        #expect(
            Date(microsecondsSince1970: date.microsecondsSince1970).timeIntervalSince1970 == date.timeIntervalSince1970)
        let parsed = try #require(Date(rfc3339: date.rfc3339))
        #expect(abs(parsed.timeIntervalSince(date)) < 0.001)
        #expect(Date(rfc3339: "2026-11-22T08:10:02Z") != nil)
        #expect(Date(rfc3339: "yesterday") == nil)
    }
}
