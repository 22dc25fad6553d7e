import Foundation
import PostgresNIO
import SQLKit

/// Statements whose plans PostgreSQL keeps, one per connection.
///
/// An unnamed statement, which is how every statement is sent, is planned again each time it runs; for a
/// complex read, planning can cost as much as running it (a page of parts that fit a model: 2–3 ms of
/// planning for 3–4 ms of execution). ``Database/rowsReusingPlan(_:in:)`` sends it as SQL's `PREPARE` once
/// per connection, under a name made from its text, and then as `EXECUTE` with its values written out as
/// literals (see ``literal(_:)``); PostgreSQL reuses the plan (after five runs, when the generic plan is no worse).
///
/// Only for statements outside a transaction: the first run on a connection fails (no such statement
/// yet), which would abort a transaction.
extension Database {
    /// The rows of `query` on connection `db`, with its plan kept per connection on PostgreSQL; on SQLite,
    /// or with a value that cannot be written as a literal, the plain statement.
    public func rowsReusingPlan(_ query: SQLQueryString, in db: any SQLDatabase) async throws -> [any SQLRow] {
        guard engine == .postgres else { return try await db.raw(query).all() }
        let (sql, binds) = db.serialize(query)
        let literals = binds.map(Self.literal)
        guard !literals.contains(nil) else { return try await db.raw(query).all() }
        let name = "plan_\(Self.fnv1a(sql))"
        let execute =
            "EXECUTE \(name)" + (literals.isEmpty ? "" : "(\(literals.compactMap { $0 }.joined(separator: ", ")))")
        do {
            return try await db.raw("\(unsafeRaw: execute)").all()
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "26000" {
            // Not prepared on this connection yet (a new connection, or one the pool replaced).
            try await db.raw("PREPARE \(unsafeRaw: name) AS \(unsafeRaw: sql)").run()
            return try await db.raw("\(unsafeRaw: execute)").all()
        }
    }

    /// `value` as a PostgreSQL literal: text as an escape string (`E'…'`, backslashes and quotes doubled,
    /// read the same whatever `standard_conforming_strings` says), integers and booleans as they are;
    /// `nil` for anything else (`nil` itself included) and for text with a NUL, which no literal holds.
    static func literal(_ value: any Encodable & Sendable) -> String? {
        switch value {
        case let text as String:
            guard !text.unicodeScalars.contains("\0") else { return nil }
            return "E'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "''")
                + "'"
        case let number as Int: return String(number)
        case let number as Int64: return String(number)
        case let number as Int32: return String(number)
        case let flag as Bool: return flag ? "true" : "false"
        default: return nil
        }
    }

    /// A stable 64-bit FNV-1a hash of `text`, in hex (a statement's name: the same text, the same name).
    static func fnv1a(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
