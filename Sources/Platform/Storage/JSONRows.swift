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
    /// Each column's member name as written before its value: `"name":`.
    private let keys: [[UInt8]]
    private var json: [UInt8] = [UInt8(ascii: "[")]
    public private(set) var count = 0

    public init(columns: [(name: String, type: String)]) {
        self.columns = columns
        self.keys = columns.map { Array("\"\($0.name)\":".utf8) }
    }

    /// Appends a row of cells, in column order.
    public mutating func append(_ cells: [Cell]) {
        if count > 0 { json.append(UInt8(ascii: ",")) }
        json.append(UInt8(ascii: "{"))
        for (index, cell) in cells.enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            json.append(contentsOf: keys[index])
            switch cell {
            case .text(let text?): Self.appendString(text, to: &json)
            case .integer(let number?): Self.appendInteger(number, to: &json)
            case .text(nil), .integer(nil): json.append(contentsOf: Self.null)
            }
        }
        json.append(UInt8(ascii: "}"))
        count += 1
    }

    private static let null = Array("null".utf8)

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

    /// `text` as a JSON string: its bytes copied in runs, each run up to the next byte that needs an
    /// escape (a JSON document inside a cell has many quotes).
    private static func appendString(_ text: String, to json: inout [UInt8]) {
        json.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var run = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                json.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<index]))
                run = index + 1
                if byte < 0x20 {
                    json.append(contentsOf: [
                        UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                    ])
                    json.append(hexDigits[Int(byte >> 4)])
                    json.append(hexDigits[Int(byte & 0x0F)])
                } else {
                    json.append(UInt8(ascii: "\\"))
                    json.append(byte)
                }
            }
            json.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run...]))
        }
        json.append(UInt8(ascii: "\""))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// `number` in decimal, without making a `String` of it.
    private static func appendInteger(_ number: Int64, to json: inout [UInt8]) {
        if number < 0 { json.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        let start = json.count
        repeat {
            json.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        json[start...].reverse()
    }
}
