import Foundation

/// Reads JSON into a `Decodable` value: the value Foundation's `JSONDecoder` reads with `EventCoding`'s
/// settings (dates in ISO 8601 to the second), at a fraction of its cost. Decoding the events consumers
/// read was a tenth of the embedded server's CPU under the whole flow's load.
///
/// The document is parsed once into a flat list of values (`JSONDocument`); containers look members up
/// in it. What it does not know, or finds wrong, it refuses with `Unsupported` rather than explain:
/// `EventCoding.decode` then asks Foundation, which reads it or says what is wrong.
enum EventJSONDecoder {
    struct Unsupported: Error {}

    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        let document = try JSONDocument(bytes: [UInt8](data))
        return try document.value(T.self, at: 0)
    }
}

/// A parsed JSON document: its bytes and its values in document order, each container followed by its
/// members (an object's as name, value, name, value…).
final class JSONDocument: Sendable {
    enum Kind: UInt8 { case object, array, string, escapedString, number, `true`, `false`, null }

    struct Node {
        var kind: Kind
        /// The value's bytes (a string's without its quotes).
        var bytes: Range<Int>
        /// The index of the node after this value and all it holds.
        var after: Int
        /// An object's members or an array's elements.
        var count: Int
    }

    let bytes: [UInt8]
    let nodes: [Node]

    init(bytes: [UInt8]) throws {
        self.bytes = bytes
        var parser = JSONParser(bytes: bytes)
        nodes = try parser.document()
    }

    func value<T: Decodable>(_ type: T.Type, at index: Int) throws -> T {
        // The metatype comparisons are cheap; the casts run only for the type that matched.
        if T.self == String.self, let text = try string(at: index) as? T { return text }
        if T.self == Int.self, let number = try integer(Int.self, at: index) as? T { return number }
        if T.self == Bool.self, let flag = try bool(at: index) as? T { return flag }
        if T.self == Date.self, let date = try date(at: index) as? T { return date }
        if T.self == Double.self || T.self == Float.self || T.self == Data.self || T.self == URL.self
            || T.self == Decimal.self
        {
            throw EventJSONDecoder.Unsupported()
        }
        return try T(from: NodeDecoder(document: self, index: index))
    }

    func isNull(at index: Int) -> Bool { nodes[index].kind == .null }

    func bool(at index: Int) throws -> Bool {
        switch nodes[index].kind {
        case .true: return true
        case .false: return false
        default: throw EventJSONDecoder.Unsupported()
        }
    }

    /// An integer written with digits only (and a minus sign), within `I`'s range.
    func integer<I: FixedWidthInteger>(_ type: I.Type, at index: Int) throws -> I {
        let node = nodes[index]
        guard node.kind == .number else { throw EventJSONDecoder.Unsupported() }
        var position = node.bytes.lowerBound
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        guard position < node.bytes.upperBound else { throw EventJSONDecoder.Unsupported() }
        var value: I = 0
        while position < node.bytes.upperBound {
            let digit = bytes[position] &- UInt8(ascii: "0")
            guard digit < 10 else { throw EventJSONDecoder.Unsupported() }
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowAgain) =
                negative
                ? times.subtractingReportingOverflow(I(digit)) : times.addingReportingOverflow(I(digit))
            guard !overflow, !overflowAgain else { throw EventJSONDecoder.Unsupported() }
            value = next
            position += 1
        }
        return value
    }

    func string(at index: Int) throws -> String {
        let node = nodes[index]
        switch node.kind {
        case .string:
            guard let text = String(validating: bytes[node.bytes], as: UTF8.self) else {
                throw EventJSONDecoder.Unsupported()
            }
            return text
        case .escapedString: return try unescaped(node.bytes)
        default: throw EventJSONDecoder.Unsupported()
        }
    }

    /// A string with backslash escapes.
    private func unescaped(_ range: Range<Int>) throws -> String {
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var position = range.lowerBound
        while position < range.upperBound {
            let byte = bytes[position]
            position += 1
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                continue
            }
            switch bytes[position] {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(bytes[position])
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                let unit = try utf16Unit(at: position + 1)
                position += 4
                if UTF16.isLeadSurrogate(unit) {
                    // A pair: `\uD83D\uDE00`.
                    guard position + 7 < range.upperBound, bytes[position + 1] == UInt8(ascii: "\\"),
                        bytes[position + 2] == UInt8(ascii: "u")
                    else { throw EventJSONDecoder.Unsupported() }
                    let trail = try utf16Unit(at: position + 3)
                    guard UTF16.isTrailSurrogate(trail) else { throw EventJSONDecoder.Unsupported() }
                    out.append(contentsOf: String(decoding: [unit, trail], as: UTF16.self).utf8)
                    position += 6
                } else {
                    guard !UTF16.isTrailSurrogate(unit) else { throw EventJSONDecoder.Unsupported() }
                    out.append(contentsOf: String(decoding: CollectionOfOne(unit), as: UTF16.self).utf8)
                }
            default: throw EventJSONDecoder.Unsupported()
            }
            position += 1
        }
        guard let text = String(validating: out, as: UTF8.self) else { throw EventJSONDecoder.Unsupported() }
        return text
    }

    /// The four hex digits at `position` (of a `\u` escape).
    private func utf16Unit(at position: Int) throws -> UInt16 {
        guard position + 4 <= bytes.count else { throw EventJSONDecoder.Unsupported() }
        var unit: UInt16 = 0
        for byte in bytes[position..<position + 4] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw EventJSONDecoder.Unsupported()
            }
            unit = unit << 4 | UInt16(digit)
        }
        return unit
    }

    /// Where `2026-12-07T19:03:00Z` has its separators.
    private static let dateSeparators: [(Int, UInt8)] = [
        (4, UInt8(ascii: "-")), (7, UInt8(ascii: "-")), (10, UInt8(ascii: "T")), (13, UInt8(ascii: ":")),
        (16, UInt8(ascii: ":")), (19, UInt8(ascii: "Z")),
    ]

    /// `2026-12-07T19:03:00Z`, the form `EventJSONEncoder` writes; any other form is left to Foundation.
    func date(at index: Int) throws -> Date {
        let node = nodes[index]
        guard node.kind == .string, node.bytes.count == 20 else { throw EventJSONDecoder.Unsupported() }
        let start = node.bytes.lowerBound
        func number(_ offset: Int, _ width: Int) throws -> Int {
            var value = 0
            for position in start + offset..<start + offset + width {
                let digit = bytes[position] &- UInt8(ascii: "0")
                guard digit < 10 else { throw EventJSONDecoder.Unsupported() }
                value = value * 10 + Int(digit)
            }
            return value
        }
        for (offset, separator) in Self.dateSeparators where bytes[start + offset] != separator {
            throw EventJSONDecoder.Unsupported()
        }
        let (year, month, day) = (try number(0, 4), try number(5, 2), try number(8, 2))
        let (hour, minute, second) = (try number(11, 2), try number(14, 2), try number(17, 2))
        guard year >= 1900, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 60
        else { throw EventJSONDecoder.Unsupported() }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = timegm(&parts)
        // A day past the month's end (the 31st of April) comes back as another day: refused.
        guard parts.tm_mday == Int32(day) else { throw EventJSONDecoder.Unsupported() }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    /// The index of the value of member `name` of the object at `index`, if it has one.
    func member(_ name: String, of index: Int) -> Int? {
        var name = name
        return name.withUTF8 { wanted in
            bytes.withUnsafeBufferPointer { all in
                guard let base = all.baseAddress else { return nil }
                var position = index + 1
                for _ in 0..<nodes[index].count {
                    let key = nodes[position]
                    if key.kind == .string, key.bytes.count == wanted.count,
                        wanted.baseAddress.map { memcmp(base + key.bytes.lowerBound, $0, wanted.count) == 0 } ?? true
                    {
                        return position + 1
                    }
                    position = nodes[position + 1].after
                }
                return nil
            }
        }
    }

    /// The names of the object's members.
    func names(of index: Int) throws -> [String] {
        var names: [String] = []
        var position = index + 1
        for _ in 0..<nodes[index].count {
            names.append(try string(at: position))
            position = nodes[position + 1].after
        }
        return names
    }
}
