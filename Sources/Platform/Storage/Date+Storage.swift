import Foundation

extension Date {
    /// Microseconds since 1970: how timestamps are stored (a `BIGINT` on both engines).
    public var microsecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1_000_000).rounded()) }

    /// Now, cut to the microseconds a stored timestamp keeps, so a value read back equals the one written.
    public static var storageNow: Date { Date(microsecondsSince1970: Date().microsecondsSince1970) }

    /// The date `microseconds` after 1970.
    public init(microsecondsSince1970 microseconds: Int64) {
        self.init(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }

    /// RFC 3339 UTC text with milliseconds, e.g. `2026-11-22T08:10:02.123Z`: the API's timestamp format.
    public var rfc3339: String {
        formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// Parses RFC 3339 text with or without fractional seconds; `nil` when it is not such a timestamp.
    public init?(rfc3339 text: String) {
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) {
            self = date
        } else if let date = try? Date.ISO8601FormatStyle().parse(text) {
            self = date
        } else {
            return nil
        }
    }
}
