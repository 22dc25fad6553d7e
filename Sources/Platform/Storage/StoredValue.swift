import SQLKit

/// A stored value the code does not know: a corrupt row or one written by a newer version.
///
/// Reading it is an error (a 500 and a log line), never a silent default that would, say, restart an
/// order's status machine.
public struct StoredValueError: Error, CustomStringConvertible {
    public let column: String
    public let value: String

    public init(column: String, value: String) {
        self.column = column
        self.value = value
    }

    public var description: String { "unknown stored value \(value) in \(column)" }
}

extension SQLRow {
    /// The `column` as `T`, throwing ``StoredValueError`` for a value `T` has no case for.
    public func decode<T: RawRepresentable>(enum column: String, as type: T.Type = T.self) throws -> T
    where T.RawValue == String {
        let raw = try decode(column: column, as: String.self)
        guard let value = T(rawValue: raw) else { throw StoredValueError(column: column, value: raw) }
        return value
    }

    /// The nullable `column` as `T?`, throwing ``StoredValueError`` for a value `T` has no case for.
    public func decode<T: RawRepresentable>(optionalEnum column: String, as type: T.Type = T.self) throws -> T?
    where T.RawValue == String {
        guard let raw = try decode(column: column, as: String?.self) else { return nil }
        guard let value = T(rawValue: raw) else { throw StoredValueError(column: column, value: raw) }
        return value
    }
}

extension SQLDatabase {
    /// The `n` column of the first row of `sql` (a `SELECT COUNT(*) AS n …`), 0 when there is none: how
    /// reconciliations count what breaks an invariant.
    public func count(_ sql: SQLQueryString) async throws -> Int {
        try await raw(sql).first()?.decode(column: "n", as: Int.self) ?? 0
    }
}
