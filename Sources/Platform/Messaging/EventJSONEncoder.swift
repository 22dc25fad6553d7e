import Foundation

/// Writes an `Encodable` value straight into JSON bytes: the document Foundation's `JSONEncoder` makes
/// with `EventCoding`'s settings (members in the byte order of their names, dates in ISO 8601 to the
/// second in UTC, `/` escaped), byte for byte, at a fraction of its cost. Encoding the events as they
/// were created was 15 % of the embedded server's CPU under the whole flow's load.
///
/// It writes members as they come and puts an object's members in order when it closes. What it does
/// not know it refuses with `Unsupported` rather than guess: nested containers and super encoders,
/// floating point numbers, `Data`, `URL`, `Decimal`, names outside ASCII, a member written twice.
/// `EventCoding.encode` then asks Foundation.
enum EventJSONEncoder {
    struct Unsupported: Error {}

    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let output = JSONOutput()
        try output.write(value)
        return Data(output.bytes)
    }
}

/// The bytes written so far, shared by the encoders of one document's values.
final class JSONOutput {
    /// Unchecked: the output belongs to one encoding on one thread, and the run-time exclusivity checks
    /// on every append cost more than the appends did.
    @exclusivity(unchecked) var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(1024) }

    func write<T: Encodable>(_ value: T) throws {
        // The metatype comparisons are cheap; the casts run only for the type that matched.
        if T.self == String.self, let text = value as? String {
            writeString(text)
        } else if T.self == Int.self, let number = value as? Int {
            writeInteger(Int64(number))
        } else if T.self == Bool.self, let flag = value as? Bool {
            append(flag ? "true" : "false")
        } else if T.self == Date.self, let date = value as? Date {
            try writeDate(date)
        } else if T.self == Double.self || T.self == Float.self || T.self == Data.self || T.self == URL.self
            || T.self == Decimal.self
        {
            throw EventJSONEncoder.Unsupported()
        } else {
            let encoder = ValueEncoder(output: self)
            try value.encode(to: encoder)
            try encoder.close()
        }
    }

    func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    func writeInteger(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        writeDigits(value.magnitude)
    }

    func writeDigits(_ value: UInt64) {
        let start = bytes.count
        var rest = value
        repeat {
            bytes.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        bytes[start...].reverse()
    }

    func writeString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var plain = 0
            for (index, byte) in utf8.enumerated() where Self.isEscaped(byte) {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plain..<index]))
                plain = index + 1
                writeEscape(byte)
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[plain...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Writes a member's name as it is, or refuses one that is not plain ASCII (one that needs an escape
    /// would sort differently written than read).
    func writeName(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { utf8 in
            guard !utf8.contains(where: { $0 >= 0x80 || Self.isEscaped($0) }) else { return false }
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: utf8)
            bytes.append(UInt8(ascii: "\""))
            return true
        }
    }

    /// Whether Foundation escapes `byte`: the control characters, the quote, the slash and the backslash.
    private static func isEscaped(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "\\")
    }

    private func writeEscape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x09: bytes.append(UInt8(ascii: "t"))
        case 0x0A: bytes.append(UInt8(ascii: "n"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        case 0x0D: bytes.append(UInt8(ascii: "r"))
        case 0..<0x20:
            let hex: StaticString = "0123456789abcdef"
            append("u00")
            hex.withUTF8Buffer { digits in
                bytes.append(digits[Int(byte >> 4)])
                bytes.append(digits[Int(byte & 0x0F)])
            }
        default: bytes.append(byte)
        }
    }

    /// Whether the bytes in `left` come before those in `right` (both within the output).
    func precedes(_ left: Range<Int>, _ right: Range<Int>) -> Bool {
        bytes.withUnsafeBufferPointer { all in
            guard let base = all.baseAddress else { return left.count < right.count }
            let order = memcmp(
                base + left.lowerBound, base + right.lowerBound,
                min(left.count, right.count))
            return order < 0 || (order == 0 && left.count < right.count)
        }
    }

    /// `2026-12-07T19:03:00Z`: the second the date falls in (Foundation's `.iso8601` drops the fraction).
    func writeDate(_ date: Date) throws {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        // Years 1900 to 9999: four digits, and the Gregorian calendar that Foundation uses after 1582 too.
        guard seconds >= -2_208_988_800, seconds < 253_402_300_800 else { throw EventJSONEncoder.Unsupported() }
        var time = time_t(seconds)
        var parts = tm()
        guard gmtime_r(&time, &parts) != nil else { throw EventJSONEncoder.Unsupported() }
        bytes.append(UInt8(ascii: "\""))
        writePadded(Int(parts.tm_year) + 1900, width: 4)
        bytes.append(UInt8(ascii: "-"))
        writePadded(Int(parts.tm_mon) + 1, width: 2)
        bytes.append(UInt8(ascii: "-"))
        writePadded(Int(parts.tm_mday), width: 2)
        bytes.append(UInt8(ascii: "T"))
        writePadded(Int(parts.tm_hour), width: 2)
        bytes.append(UInt8(ascii: ":"))
        writePadded(Int(parts.tm_min), width: 2)
        bytes.append(UInt8(ascii: ":"))
        writePadded(Int(parts.tm_sec), width: 2)
        append("Z\"")
    }

    private func writePadded(_ value: Int, width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }
}

/// The encoder of one value: it opens an object, an array or a single value in the output, and closes it.
final class ValueEncoder: Encoder {
    enum Shape { case unopened, object, array, single, written }

    /// A member's bytes in the output, from its name's opening quote to the end of its value.
    struct Member {
        var range: Range<Int>
        /// The name without its quotes.
        var name: Range<Int>
    }

    let output: JSONOutput
    @exclusivity(unchecked) var shape = Shape.unopened
    /// Where the object's or array's members start (after the bracket).
    @exclusivity(unchecked) private var start = 0
    @exclusivity(unchecked) private var count = 0
    @exclusivity(unchecked) private var members: [Member] = []
    @exclusivity(unchecked) private var inOrder = true
    /// Set when the value asked for something this encoder refuses; `close` throws then.
    @exclusivity(unchecked) var refused = false

    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(output: JSONOutput) { self.output = output }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        open(.object, bracket: UInt8(ascii: "{"))
        if members.isEmpty { members.reserveCapacity(16) }
        return KeyedEncodingContainer(ObjectWriter<Key>(encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        open(.array, bracket: UInt8(ascii: "["))
        return ArrayWriter(encoder: self)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        if shape != .unopened { refused = true }
        shape = .single
        return SingleWriter(encoder: self)
    }

    private func open(_ wanted: Shape, bracket: UInt8) {
        if shape == wanted { return }
        if shape != .unopened { refused = true }
        shape = wanted
        output.bytes.append(bracket)
        start = output.bytes.count
    }

    /// Begins the next member of the object: a comma, the name, a colon.
    func beginMember(_ name: String) throws {
        guard shape == .object else { throw EventJSONEncoder.Unsupported() }
        if count > 0 { output.bytes.append(UInt8(ascii: ",")) }
        count += 1
        let start = output.bytes.count
        guard output.writeName(name) else { throw EventJSONEncoder.Unsupported() }
        let member = Member(range: start..<start, name: start + 1..<output.bytes.count - 1)
        if let last = members.last, !output.precedes(last.name, member.name) { inOrder = false }
        members.append(member)
        output.bytes.append(UInt8(ascii: ":"))
    }

    func endMember() {
        members[members.count - 1].range = members[members.count - 1].range.lowerBound..<output.bytes.count
    }

    /// Begins the next element of the array: a comma.
    func beginElement() throws {
        guard shape == .array else { throw EventJSONEncoder.Unsupported() }
        if count > 0 { output.bytes.append(UInt8(ascii: ",")) }
        count += 1
    }

    /// Begins the single value.
    func beginSingle() throws {
        guard shape == .single else { throw EventJSONEncoder.Unsupported() }
        shape = .written
    }

    /// A nested container or a super encoder: refused (none of the events needs one).
    func refuse() -> ValueEncoder {
        refused = true
        return ValueEncoder(output: JSONOutput())
    }

    /// Closes what the value opened; an object's members are put in the order of their names first.
    func close() throws {
        if refused { throw EventJSONEncoder.Unsupported() }
        switch shape {
        case .unopened: output.append("{}")
        case .single: throw EventJSONEncoder.Unsupported()
        case .written: break
        case .array: output.bytes.append(UInt8(ascii: "]"))
        case .object:
            if !inOrder { try putMembersInOrder() }
            output.bytes.append(UInt8(ascii: "}"))
        }
    }

    private func putMembersInOrder() throws {
        let sorted = members.sorted { output.precedes($0.name, $1.name) }
        var ordered: [UInt8] = []
        ordered.reserveCapacity(output.bytes.count - start)
        for (index, member) in sorted.enumerated() {
            if index > 0 {
                guard output.precedes(sorted[index - 1].name, member.name) else { throw EventJSONEncoder.Unsupported() }
                ordered.append(UInt8(ascii: ","))
            }
            ordered.append(contentsOf: output.bytes[member.range])
        }
        output.bytes.replaceSubrange(start..., with: ordered)
    }
}
