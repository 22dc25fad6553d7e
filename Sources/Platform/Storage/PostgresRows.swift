import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit

/// A PostgreSQL row that decodes the plain column types (text, integers, booleans, and their nulls)
/// straight from its cell, and everything else as PostgresKit does.
///
/// PostgresKit's rows decode each column through a dynamic cast and a coding path built for it (a string
/// made per column): a fifth of the server's CPU time for a page of fifty parts. A value the plain
/// decoding refuses is decoded by PostgresKit's row, so errors and conversions stay the same.
struct PostgresPlainRow: SQLRow {
    let row: PostgresRow
    let cells: PostgresRandomAccessRow

    init(_ row: PostgresRow) {
        self.row = row
        self.cells = PostgresRandomAccessRow(row)
    }

    var allColumns: [String] { cells.map(\.columnName) }

    func contains(column: String) -> Bool { cells.contains(column) }

    func decodeNil(column: String) throws -> Bool { !cells.contains(column) || cells[column].bytes == nil }

    func decode<T: Decodable>(column: String, as type: T.Type) throws -> T {
        if cells.contains(column), let value = plain(cells[column], as: T.self) { return value }
        return try row.sql().decode(column: column, as: T.self)
    }

    /// The cell as `T` when `T` is a plain type and the cell decodes as it; `nil` otherwise. (`T` is checked
    /// to be that type first, so the bit casts are identities: a dynamic cast per column costs more than
    /// the decoding.)
    private func plain<T>(_ cell: PostgresCell, as type: T.Type) -> T? {
        if type == String.self { return (try? cell.decode(String.self)).map { unsafeBitCast($0, to: T.self) } }
        if type == Int.self { return (try? cell.decode(Int.self)).map { unsafeBitCast($0, to: T.self) } }
        if type == Int64.self { return (try? cell.decode(Int64.self)).map { unsafeBitCast($0, to: T.self) } }
        if type == Bool.self { return (try? cell.decode(Bool.self)).map { unsafeBitCast($0, to: T.self) } }
        if type == String?.self {
            if cell.bytes == nil { return unsafeBitCast(String?.none, to: T.self) }
            return (try? cell.decode(String.self)).map { unsafeBitCast(String?.some($0), to: T.self) }
        }
        if type == Int?.self {
            if cell.bytes == nil { return unsafeBitCast(Int?.none, to: T.self) }
            return (try? cell.decode(Int.self)).map { unsafeBitCast(Int?.some($0), to: T.self) }
        }
        if type == Int64?.self {
            if cell.bytes == nil { return unsafeBitCast(Int64?.none, to: T.self) }
            return (try? cell.decode(Int64.self)).map { unsafeBitCast(Int64?.some($0), to: T.self) }
        }
        return nil
    }
}

extension PostgresBindings {
    /// `binds` as PostgreSQL bindings when each is nil or directly encodable (what PostgresKit does first),
    /// or `nil` for the caller to leave the statement to PostgresKit.
    static func plain(_ binds: [any Encodable & Sendable]) -> PostgresBindings? {
        var bindings = PostgresBindings(capacity: binds.count)
        for bind in binds {
            guard bindings.appendPlain(bind) else { return nil }
        }
        return bindings
    }

    private mutating func appendPlain<T: Encodable>(_ value: T) -> Bool {
        if isNil(value) {
            appendNull()
            return true
        }
        guard let encodable = value as? any PostgresThrowingDynamicTypeEncodable else { return false }
        do {
            try append(encodable, context: .default)
            return true
        } catch {
            return false
        }
    }

    /// Whether `value` is an optional holding nothing (a generic `T` that is `Optional<Wrapped>`).
    private func isNil<T>(_ value: T) -> Bool {
        guard let optional = value as? any OptionalValue else { return false }
        return optional.isNone
    }
}

private protocol OptionalValue { var isNone: Bool { get } }
extension Optional: OptionalValue {
    var isNone: Bool { self == nil }
}
