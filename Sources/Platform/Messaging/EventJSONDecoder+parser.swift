/// Parses a JSON document (RFC 8259, nothing after the value but white space) into `JSONDocument`'s nodes.
struct JSONParser {
    private let bytes: [UInt8]
    private var position = 0
    private var nodes: [JSONDocument.Node] = []
    private static let depthLimit = 256

    init(bytes: [UInt8]) {
        self.bytes = bytes
        nodes.reserveCapacity(64)
    }

    mutating func document() throws -> [JSONDocument.Node] {
        try value(depth: 0)
        skipSpace()
        guard position == bytes.count else { throw EventJSONDecoder.Unsupported() }
        return nodes
    }

    private mutating func skipSpace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    private mutating func take(_ byte: UInt8) -> Bool {
        skipSpace()
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    private mutating func value(depth: Int) throws {
        skipSpace()
        guard position < bytes.count, depth < Self.depthLimit else { throw EventJSONDecoder.Unsupported() }
        switch bytes[position] {
        case UInt8(ascii: "{"): try container(closing: UInt8(ascii: "}"), kind: .object, depth: depth)
        case UInt8(ascii: "["): try container(closing: UInt8(ascii: "]"), kind: .array, depth: depth)
        case UInt8(ascii: "\""): try string()
        case UInt8(ascii: "t"): try word("true", .true)
        case UInt8(ascii: "f"): try word("false", .false)
        case UInt8(ascii: "n"): try word("null", .null)
        default: try number()
        }
    }

    private mutating func container(closing: UInt8, kind: JSONDocument.Kind, depth: Int) throws {
        let index = nodes.count
        let start = position
        position += 1
        nodes.append(JSONDocument.Node(kind: kind, bytes: start..<start, after: 0, count: 0))
        var count = 0
        if !take(closing) {
            repeat {
                if kind == .object {
                    skipSpace()
                    guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                        throw EventJSONDecoder.Unsupported()
                    }
                    try string()
                    guard take(UInt8(ascii: ":")) else { throw EventJSONDecoder.Unsupported() }
                }
                try value(depth: depth + 1)
                count += 1
            } while take(UInt8(ascii: ","))
            guard take(closing) else { throw EventJSONDecoder.Unsupported() }
        }
        nodes[index].bytes = start..<position
        nodes[index].after = nodes.count
        nodes[index].count = count
    }

    private mutating func string() throws {
        position += 1
        let start = position
        var escaped = false
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                nodes.append(
                    JSONDocument.Node(
                        kind: escaped ? .escapedString : .string, bytes: start..<position, after: nodes.count + 1,
                        count: 0))
                position += 1
                return
            }
            guard byte >= 0x20 else { throw EventJSONDecoder.Unsupported() }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                position += 1
            }
            position += 1
        }
        throw EventJSONDecoder.Unsupported()
    }

    private mutating func word(_ text: StaticString, _ kind: JSONDocument.Kind) throws {
        let start = position
        let matches = text.withUTF8Buffer { expected in
            position + expected.count <= bytes.count
                && bytes[position..<position + expected.count].elementsEqual(expected)
        }
        guard matches else { throw EventJSONDecoder.Unsupported() }
        position += text.utf8CodeUnitCount
        nodes.append(JSONDocument.Node(kind: kind, bytes: start..<position, after: nodes.count + 1, count: 0))
    }

    /// A number's bytes (sign, digits, fraction, exponent); whether it fits what is asked of it is
    /// checked when it is read.
    private mutating func number() throws {
        let start = position
        while position < bytes.count {
            switch bytes[position] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."),
                UInt8(ascii: "e"), UInt8(ascii: "E"):
                position += 1
            default:
                guard position > start else { throw EventJSONDecoder.Unsupported() }
                nodes.append(
                    JSONDocument.Node(kind: .number, bytes: start..<position, after: nodes.count + 1, count: 0))
                return
            }
        }
        guard position > start else { throw EventJSONDecoder.Unsupported() }
        nodes.append(JSONDocument.Node(kind: .number, bytes: start..<position, after: nodes.count + 1, count: 0))
    }
}
