import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit
import SQLiteNIO

/// SQLKit's view of one ``SQLiteHandle``: each statement runs at once on the calling thread (a
/// transaction on its database's writer thread, a read on a reader thread) and its rows are handed over
/// before the call returns. Valid while its owner lends it the handle.
struct SQLiteStatements: SQLDatabase {
    let handle: SQLiteHandle
    let logger: Logger
    private static let encoder = SQLiteDataEncoder()
    private static let decoder = SQLiteDataDecoder()

    var eventLoop: any EventLoop { MultiThreadedEventLoopGroup.singleton.any() }
    var dialect: any SQLDialect { SQLiteDialect() }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void)
        -> EventLoopFuture<Void>
    {
        do {
            try run(query, onRow)
            return eventLoop.makeSucceededVoidFuture()
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try run(query, onRow)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }

    private func run(_ query: any SQLExpression, _ onRow: (any SQLRow) -> Void) throws {
        let (sql, binds) = serialize(query)
        let values = try binds.map { try Self.encoder.encode($0) }
        if logger.logLevel <= .trace { logger.trace("SQLite statement", metadata: ["sql": "\(sql)"]) }
        try handle.run(sql, values) { onRow(SQLiteResultRow(row: $0, decoder: Self.decoder)) }
    }
}

/// A result row as SQLKit reads it: a column by name, decoded as SQLiteKit decodes it.
struct SQLiteResultRow: SQLRow {
    let row: SQLiteValues
    let decoder: SQLiteDataDecoder

    var allColumns: [String] { row.columns.names }

    func contains(column: String) -> Bool { row.columns.offsets[column] != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let value = row.value(column) else { return true }
        return value == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let value = row.value(column) else { throw MissingColumn(column: column) }
        return try decoder.decode(D.self, from: value)
    }
}

/// A column asked of a row that has no column of that name.
struct MissingColumn: Error, CustomStringConvertible {
    let column: String

    var description: String { "no column \(column) in the row" }
}
