import SQLKit

/// Many rows bound as one JSON parameter: a bulk insert or lookup binds one text instead of thousands of
/// values, and each engine turns it back into rows in C (`jsonb_each` on SQLite, `jsonb_to_recordset` on
/// PostgreSQL). Thousands of binds per statement cost more in encoding and (on PostgreSQL) planning
/// than the rows themselves.
public struct JSONRows: Sendable {
    /// A cell: text, a 64-bit integer, or NULL.
    public enum Cell: Sendable {
        case text(String?)
        case integer(Int64?)
    }

    /// The columns: name and SQL type (`TEXT` or `BIGINT`).
    public let columns: [(name: String, type: String)]
    private var json: [UInt8] = [UInt8(ascii: "[")]
    public private(set) var count = 0

    public init(columns: [(name: String, type: String)]) {
        self.columns = columns
    }

    /// Appends a row of cells, in column order.
    public mutating func append(_ cells: [Cell]) {
        if count > 0 { json.append(UInt8(ascii: ",")) }
        json.append(UInt8(ascii: "{"))
        for (index, cell) in cells.enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            json.append(UInt8(ascii: "\""))
            json += columns[index].name.utf8
            json += "\":".utf8
            switch cell {
            case .text(let text?): Self.appendString(text, to: &json)
            case .integer(let number?): json += String(number).utf8
            case .text(nil), .integer(nil): json += "null".utf8
            }
        }
        json.append(UInt8(ascii: "}"))
        count += 1
    }

    /// The JSON text: an array of objects.
    public var text: String { String(decoding: json + [UInt8(ascii: "]")], as: UTF8.self) }

    /// A FROM item named `alias` with the rows and their columns.
    public func source(_ engine: Engine, alias: String) -> SQLQueryString {
        switch engine {
        case .postgres:
            let definitions = columns.map { "\($0.name) \($0.type)" }.joined(separator: ", ")
            return "jsonb_to_recordset(\(bind: text)::jsonb) AS \(unsafeRaw: alias)(\(unsafeRaw: definitions))"
        case .sqlite:
            let fields = columns.map { "json_extract(value, '$.\($0.name)') AS \($0.name)" }.joined(separator: ", ")
            // `jsonb_each` hands each row over as binary JSON, which `json_extract` reads without parsing
            // text again (with `json_each` the JSON functions were a fifth of a parts import).
            return "(SELECT \(unsafeRaw: fields) FROM jsonb_each(\(bind: text))) AS \(unsafeRaw: alias)"
        }
    }

    private static func appendString(_ text: String, to json: inout [UInt8]) {
        json.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): json += "\\\"".utf8
            case UInt8(ascii: "\\"): json += "\\\\".utf8
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                json += "\\u00".utf8
                json.append(hex[Int(byte >> 4)])
                json.append(hex[Int(byte & 0x0F)])
            default: json.append(byte)
            }
        }
        json.append(UInt8(ascii: "\""))
    }
}
