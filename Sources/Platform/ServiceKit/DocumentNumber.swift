import Foundation
import SQLKit

/// Yearly document numbers such as `SO-2026-000042` or `PS-2026-000007`.
///
/// The year's counter row is taken in the transaction that stores the document: a rollback gives the
/// number back, and concurrent transactions wait for the row, so numbers have no gaps and no repeats.
/// `counters` is a table `(year BIGINT PRIMARY KEY, last BIGINT NOT NULL)` of the service.
public enum DocumentNumber {
    public static func next(
        _ prefix: String, counters table: String, at now: Date, in db: any SQLDatabase
    ) async throws -> String {
        let year = Self.year(of: now)
        let row = try await db.raw(
            """
            INSERT INTO \(ident: table) (year, last) VALUES (\(bind: year), 1)
            ON CONFLICT (year) DO UPDATE SET last = \(ident: table).last + 1 RETURNING last
            """
        ).first()
        let last = try row?.decode(column: "last", as: Int.self) ?? 1
        return format(prefix, year: year, number: last)
    }

    /// The next `count` numbers of `prefix`'s series in one statement, in order: the counter row moves
    /// by `count` in the transaction `db`, so the series stays gapless.
    public static func next(
        _ count: Int, of prefix: String, counters table: String, at now: Date, in db: any SQLDatabase
    ) async throws -> [String] {
        guard count > 0 else { return [] }
        let year = Self.year(of: now)
        let row = try await db.raw(
            """
            INSERT INTO \(ident: table) (year, last) VALUES (\(bind: year), \(bind: count))
            ON CONFLICT (year) DO UPDATE SET last = \(ident: table).last + \(bind: count) RETURNING last
            """
        ).first()
        let last = try row?.decode(column: "last", as: Int.self) ?? count
        return (last - count + 1...last).map { format(prefix, year: year, number: $0) }
    }

    /// The UTC year of `now`, which a number carries.
    public static func year(of now: Date) -> Int {
        Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC") ?? .current, from: now).year
            ?? 2026
    }

    /// `PREFIX-YYYY-NNNNNN`.
    public static func format(_ prefix: String, year: Int, number: Int) -> String {
        "\(prefix)-\(year)-" + String(format: "%06d", number)
    }
}
