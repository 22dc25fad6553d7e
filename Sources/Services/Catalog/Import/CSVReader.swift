/// Reads RFC 4180 CSV (what spreadsheets and suppliers' systems export): fields separated by commas,
/// records by CRLF or LF, fields in double quotes may hold commas, quotes (doubled) and line breaks.
/// Each record knows the line it starts on, so an import can say which line was bad. Pure.
public struct CSVReader: Sequence, IteratorProtocol {
    /// One record and the 1-based line it starts on.
    public struct Record: Equatable, Sendable {
        public var line: Int
        public var fields: [String]
    }

    /// A record that cannot be read (a quote that never closes, text after a closing quote).
    public struct Malformed: Error, Equatable, Sendable {
        public var line: Int
        public var reason: String

        public init(line: Int, reason: String) {
            self.line = line
            self.reason = reason
        }
    }

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    /// Set once a malformed record was met: reading stops there.
    public private(set) var error: Malformed?

    /// Reads `text`.
    public init(_ text: String) {
        self.init(bytes: Array(text.utf8))
    }

    /// Reads UTF-8 `bytes` (a file as read from disk); invalid UTF-8 becomes U+FFFD in the fields.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
        // A byte-order mark from a spreadsheet.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
    }

    /// How far reading has got, in bytes (for progress).
    public var offset: Int { index }
    /// The length of the input in bytes.
    public var length: Int { bytes.count }

    private static let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), cr = UInt8(ascii: "\r"),
        lf = UInt8(ascii: "\n")

    public mutating func next() -> Record? {
        guard error == nil else { return nil }
        // Blank lines between records are skipped.
        while index < bytes.count, bytes[index] == Self.lf || bytes[index] == Self.cr {
            if bytes[index] == Self.lf { line += 1 }
            index += 1
        }
        guard index < bytes.count else { return nil }
        let start = line
        var fields: [String] = []
        var field: [UInt8] = []
        var fieldStart = index
        var plain = true  // the field so far is bytes[fieldStart..<index]: no copy needed
        func finish() {
            fields.append(
                plain
                    ? String(decoding: bytes[fieldStart..<index], as: UTF8.self)
                    : String(decoding: field, as: UTF8.self))
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == Self.quote, plain, index == fieldStart {
                index += 1
                plain = false
                field = []
                guard readQuoted(into: &field) else {
                    error = Malformed(line: start, reason: "a quoted field is not closed")
                    return nil
                }
                if index < bytes.count, bytes[index] != Self.comma, bytes[index] != Self.cr, bytes[index] != Self.lf {
                    error = Malformed(line: line, reason: "text after a closing quote")
                    return nil
                }
                continue
            }
            switch byte {
            case Self.comma:
                finish()
                index += 1
                fieldStart = index
                plain = true
            case Self.cr where plain:
                // A CR ends the plain field's bytes; the LF after it ends the record.
                field = Array(bytes[fieldStart..<index])
                plain = false
                index += 1
            case Self.cr:
                index += 1
            case Self.lf:
                if plain { finish() } else { fields.append(String(decoding: field, as: UTF8.self)) }
                index += 1
                line += 1
                return Record(line: start, fields: fields)
            default:
                if !plain { field.append(byte) }
                index += 1
            }
        }
        if plain { finish() } else { fields.append(String(decoding: field, as: UTF8.self)) }
        return Record(line: start, fields: fields)
    }

    /// Reads a quoted field's content after its opening quote; `false` when it never closes.
    private mutating func readQuoted(into field: inout [UInt8]) -> Bool {
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == Self.quote {
                if index < bytes.count, bytes[index] == Self.quote {
                    field.append(Self.quote)
                    index += 1
                    continue
                }
                return true
            }
            if byte == Self.lf { line += 1 }
            field.append(byte)
        }
        return false
    }
}
