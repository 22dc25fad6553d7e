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

    private var scalars: [Unicode.Scalar]
    private var index = 0
    private var line = 1
    /// Set once a malformed record was met: reading stops there.
    public private(set) var error: Malformed?

    public init(_ text: String) {
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }  // a byte-order mark from a spreadsheet
        self.scalars = scalars
    }

    public mutating func next() -> Record? {
        guard error == nil else { return nil }
        // Blank lines between records are skipped.
        while index < scalars.count, scalars[index] == "\n" || scalars[index] == "\r" {
            if scalars[index] == "\n" { line += 1 }
            index += 1
        }
        guard index < scalars.count else { return nil }
        let start = line
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\"", field.isEmpty {
                index += 1
                guard readQuoted(into: &field) else {
                    error = Malformed(line: start, reason: "a quoted field is not closed")
                    return nil
                }
                if index < scalars.count, !",\r\n".unicodeScalars.contains(scalars[index]) {
                    error = Malformed(line: line, reason: "text after a closing quote")
                    return nil
                }
                continue
            }
            index += 1
            switch scalar {
            case ",":
                fields.append(String(field))
                field = String.UnicodeScalarView()
            case "\r":
                continue
            case "\n":
                line += 1
                fields.append(String(field))
                return Record(line: start, fields: fields)
            default:
                field.append(scalar)
            }
        }
        fields.append(String(field))
        return Record(line: start, fields: fields)
    }

    /// Reads a quoted field's content after its opening quote; `false` when it never closes.
    private mutating func readQuoted(into field: inout String.UnicodeScalarView) -> Bool {
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            if scalar == "\"" {
                if index < scalars.count, scalars[index] == "\"" {
                    field.append("\"")
                    index += 1
                    continue
                }
                return true
            }
            if scalar == "\n" { line += 1 }
            field.append(scalar)
        }
        return false
    }
}
