import NIOCore
import SQLiteNIO
import VaporCSQLite

/// One SQLite connection driven through SQLite's C API on the thread that calls it, keeping its
/// prepared statements for reuse: a statement costs its `sqlite3_step`s, not a parse and a trip to a
/// thread pool and back. Not for two threads at once: its owner hands it to one caller at a time.
final class SQLiteHandle: @unchecked Sendable {
    private var db: OpaquePointer?
    private var statements: [String: Prepared] = [:]
    private var uses = 0
    /// Statements kept per connection; past this the half used least recently is dropped (texts built
    /// with a list of values, `IN (?, ?, …)`, differ by the list's length: there are many of them).
    static let statementCacheSize = 256

    /// A prepared statement, the names of its result columns, and when it last ran.
    private struct Prepared {
        let pointer: OpaquePointer
        let columns: SQLiteColumns
        var lastUse = 0
    }

    /// Opens (creating it if need be) the database file at `path`.
    init(path: String) throws {
        let flags =
            SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE
        var handle: OpaquePointer?
        let code = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let message = handle.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "cannot open \(path)"
            sqlite_nio_sqlite3_close_v2(handle)
            throw SQLiteFailure(code: code, message: message)
        }
        db = handle
    }

    deinit { close() }

    /// Runs the first statement of `sql` with `binds`, handing each result row to `onRow`.
    func run(_ sql: String, _ binds: [SQLiteData], _ onRow: (SQLiteValues) throws -> Void) throws {
        let statement = try prepared(sql)
        defer {
            sqlite_nio_sqlite3_reset(statement.pointer)
            sqlite_nio_sqlite3_clear_bindings(statement.pointer)
        }
        for (index, value) in binds.enumerated() {
            try check(bind(value, at: Int32(index + 1), in: statement.pointer))
        }
        var columns = statement.columns
        while true {
            let code = sqlite_nio_sqlite3_step(statement.pointer)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw failure(code) }
            if sqlite_nio_sqlite3_column_count(statement.pointer) != columns.names.count {
                columns = SQLiteColumns(statement: statement.pointer)  // re-prepared after a schema change
            }
            try onRow(SQLiteValues(columns: columns, values: values(of: statement.pointer, count: columns.names.count)))
        }
    }

    /// Whether a transaction is open on the connection (SQLite rolls one back by itself after some errors).
    var isInTransaction: Bool { db.map { sqlite_nio_sqlite3_get_autocommit($0) == 0 } ?? false }

    /// Hands the log's length after each commit on this connection to `checkpointer`, which checkpoints
    /// instead of the commit (SQLite's automatic checkpoint is off from then on).
    func reportCommits(to checkpointer: SQLiteCheckpointer) {
        let context = Unmanaged.passUnretained(checkpointer).toOpaque()
        sqlite_nio_sqlite3_wal_hook(
            db,
            { context, _, _, pages in
                if let context {
                    Unmanaged<SQLiteCheckpointer>.fromOpaque(context).takeUnretainedValue().committed(pages: pages)
                }
                return SQLITE_OK
            }, context)
    }

    /// Closes the connection and forgets its statements; later calls fail.
    func close() {
        for statement in statements.values { sqlite_nio_sqlite3_finalize(statement.pointer) }
        statements = [:]
        if let db { sqlite_nio_sqlite3_close_v2(db) }
        db = nil
    }

    private func prepared(_ sql: String) throws -> Prepared {
        uses += 1
        if let statement = statements[sql] {
            statements[sql]?.lastUse = uses
            return statement
        }
        guard let db else { throw SQLiteFailure(code: SQLITE_MISUSE, message: "the connection is closed") }
        var pointer: OpaquePointer?
        let code = sqlite_nio_sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &pointer, nil)
        guard code == SQLITE_OK else { throw failure(code) }
        guard let pointer else { throw SQLiteFailure(code: SQLITE_MISUSE, message: "no statement in \(sql)") }
        if statements.count >= Self.statementCacheSize {
            let stale = statements.sorted { $0.value.lastUse < $1.value.lastUse }.prefix(statements.count / 2)
            for (text, statement) in stale {
                sqlite_nio_sqlite3_finalize(statement.pointer)
                statements[text] = nil
            }
        }
        let statement = Prepared(pointer: pointer, columns: SQLiteColumns(statement: pointer), lastUse: uses)
        statements[sql] = statement
        return statement
    }

    private func bind(_ value: SQLiteData, at index: Int32, in statement: OpaquePointer) -> Int32 {
        switch value {
        case .integer(let number): return sqlite_nio_sqlite3_bind_int64(statement, index, Int64(number))
        case .float(let number): return sqlite_nio_sqlite3_bind_double(statement, index, number)
        case .null: return sqlite_nio_sqlite3_bind_null(statement, index)
        case .text(let text):
            return sqlite_nio_sqlite3_bind_text64(
                statement, index, text, UInt64(text.utf8.count), Self.transient, UInt8(SQLITE_UTF8))
        case .blob(let buffer):
            return buffer.withUnsafeReadableBytes { bytes in
                sqlite_nio_sqlite3_bind_blob64(statement, index, bytes.baseAddress, UInt64(bytes.count), Self.transient)
            }
        }
    }

    private func values(of statement: OpaquePointer, count: Int) -> [SQLiteData] {
        (0..<Int32(count)).map { column in
            switch sqlite_nio_sqlite3_column_type(statement, column) {
            case SQLITE_INTEGER: return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, column)))
            case SQLITE_FLOAT: return .float(sqlite_nio_sqlite3_column_double(statement, column))
            case SQLITE_TEXT:
                guard let text = sqlite_nio_sqlite3_column_text(statement, column) else { return .text("") }
                let length = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
                return .text(String(decoding: UnsafeBufferPointer(start: text, count: length), as: UTF8.self))
            case SQLITE_BLOB:
                let length = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
                var buffer = ByteBufferAllocator().buffer(capacity: length)
                if let bytes = sqlite_nio_sqlite3_column_blob(statement, column) {
                    buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: length))
                }
                return .blob(buffer)
            default: return .null
            }
        }
    }

    private func check(_ code: Int32) throws {
        guard code == SQLITE_OK else { throw failure(code) }
    }

    private func failure(_ code: Int32) -> SQLiteFailure {
        let message = db.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "the connection is closed"
        return SQLiteFailure(code: db.map { sqlite_nio_sqlite3_extended_errcode($0) } ?? code, message: message)
    }

    /// SQLite copies what is bound before the call returns (`SQLITE_TRANSIENT`).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// The names of a statement's result columns, shared by its rows.
final class SQLiteColumns: Sendable {
    let names: [String]
    let offsets: [String: Int]

    init(statement: OpaquePointer) {
        let count = Int(sqlite_nio_sqlite3_column_count(statement))
        names = (0..<Int32(count)).map { String(cString: sqlite_nio_sqlite3_column_name(statement, $0)) }
        offsets = Dictionary(names.enumerated().map { ($1, $0) }) { first, _ in first }
    }
}

/// One result row: its values, and its statement's column names.
struct SQLiteValues: Sendable {
    let columns: SQLiteColumns
    let values: [SQLiteData]

    func value(_ column: String) -> SQLiteData? { columns.offsets[column].map { values[$0] } }
}

/// An error SQLite reported: its extended result code and its message.
public struct SQLiteFailure: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public let message: String

    public var description: String { "SQLite error \(code): \(message)" }

    /// A `UNIQUE` or `PRIMARY KEY` constraint refused the row (`SQLITE_CONSTRAINT_UNIQUE`, `…_PRIMARYKEY`).
    public var isUniqueViolation: Bool { code == 2067 || code == 1555 }
}
