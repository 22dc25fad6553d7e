import Foundation
import Storage

/// The structured-mode CloudEvents JSON document of an envelope, written and read without taking the
/// payload apart: `data` goes into the document as the bytes the producer wrote, and comes out of it
/// as the bytes of its member. (Parsing the payload into objects and serializing it again, with sorted
/// keys, cost a relay on NATS more than a quarter of its process's CPU.)
enum CloudEventJSON {
    /// The document, members in name order.
    static func document(_ envelope: EventEnvelope) -> Data {
        var text = #"{"data":"#
        text.reserveCapacity(envelope.data.count + 320)
        var document = Data(text.utf8)
        document.append(envelope.data)
        text = #","datacontenttype":"application/json","id":"# + quoted(envelope.id)
        text += #","schemaversion":"# + String(envelope.schemaVersion) + #","source":"# + quoted(envelope.source)
        text += #","specversion":"1.0""#
        if let subject = envelope.subject { text += #","subject":"# + quoted(subject) }
        text += #","time":"# + quoted(envelope.time.rfc3339)
        if let traceparent = envelope.traceparent { text += #","traceparent":"# + quoted(traceparent) }
        text += #","type":"# + quoted(envelope.type) + "}"
        document.append(contentsOf: text.utf8)
        return document
    }

    /// The envelope in `document`; members it does not know are ignored.
    static func envelope(from document: Data) throws -> EventEnvelope {
        let members = try Self.members(of: Array(document))
        func text(_ name: String) throws -> String? {
            guard let bytes = members[name] else { return nil }
            guard let value = try JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed) as? String
            else { throw EnvelopeError.malformed }
            return value
        }
        guard let id = try text("id"), let source = try text("source"), let type = try text("type"),
            let timeText = try text("time"), let time = Date(rfc3339: timeText), let data = members["data"]
        else { throw EnvelopeError.malformed }
        let version = try members["schemaversion"].map { bytes in
            guard let number = Int(String(decoding: bytes, as: UTF8.self)) else { throw EnvelopeError.malformed }
            return number
        }
        return EventEnvelope(
            id: id, source: source, type: type, time: time, subject: try text("subject"), data: Data(data),
            traceparent: try text("traceparent"), schemaVersion: version ?? 1)
    }

    /// `text` as a JSON string.
    static func quoted(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") })
        else { return "\"" + text + "\"" }
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\r": quoted += "\\r"
            case "\t": quoted += "\\t"
            case _ where scalar.value < 0x20: quoted += String(format: "\\u%04x", scalar.value)
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }

    /// The bytes of each member's value in the JSON object `bytes` (names as written, without escapes).
    static func members(of bytes: [UInt8]) throws -> [String: ArraySlice<UInt8>] {
        var scanner = Scanner(bytes: bytes)
        var members: [String: ArraySlice<UInt8>] = [:]
        try scanner.expect(UInt8(ascii: "{"))
        if scanner.take(UInt8(ascii: "}")) { return try scanner.ended(members) }
        repeat {
            let name = try scanner.string()
            try scanner.expect(UInt8(ascii: ":"))
            let value = try scanner.value()
            members[String(decoding: bytes[name.dropFirst().dropLast()], as: UTF8.self)] = bytes[value]
        } while scanner.take(UInt8(ascii: ","))
        try scanner.expect(UInt8(ascii: "}"))
        return try scanner.ended(members)
    }

    /// Finds where JSON values begin and end, checking their brackets and strings, not their scalars.
    private struct Scanner {
        let bytes: [UInt8]
        var at = 0

        /// What ends a number, `true`, `false` or `null`.
        static let scalarEnds = Set(",}] \n\r\t".utf8)

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func skipSpace() {
            while at < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[at]) { at += 1 }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            skipSpace()
            guard at < bytes.count, bytes[at] == byte else { return false }
            at += 1
            return true
        }

        mutating func expect(_ byte: UInt8) throws {
            guard take(byte) else { throw EnvelopeError.malformed }
        }

        func ended<T>(_ result: T) throws -> T {
            var rest = self
            rest.skipSpace()
            guard rest.at == bytes.count else { throw EnvelopeError.malformed }
            return result
        }

        /// A string's range, quotes included.
        mutating func string() throws -> Range<Int> {
            skipSpace()
            let start = at
            guard at < bytes.count, bytes[at] == UInt8(ascii: "\"") else { throw EnvelopeError.malformed }
            at += 1
            while at < bytes.count {
                switch bytes[at] {
                case UInt8(ascii: "\""):
                    at += 1
                    return start..<at
                case UInt8(ascii: "\\"): at += 2
                case let byte where byte < 0x20: throw EnvelopeError.malformed
                default: at += 1
                }
            }
            throw EnvelopeError.malformed
        }

        /// A value's range: a string, an object or array with everything in it, or a scalar.
        mutating func value() throws -> Range<Int> {
            skipSpace()
            guard at < bytes.count else { throw EnvelopeError.malformed }
            let start = at
            switch bytes[at] {
            case UInt8(ascii: "\""):
                return try string()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var closers: [UInt8] = []
                repeat {
                    switch bytes[at] {
                    case UInt8(ascii: "\""):
                        _ = try string()
                        continue
                    case UInt8(ascii: "{"): closers.append(UInt8(ascii: "}"))
                    case UInt8(ascii: "["): closers.append(UInt8(ascii: "]"))
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        guard closers.popLast() == bytes[at] else { throw EnvelopeError.malformed }
                    default: break
                    }
                    at += 1
                } while !closers.isEmpty && at < bytes.count
                guard closers.isEmpty else { throw EnvelopeError.malformed }
                return start..<at
            default:
                while at < bytes.count, !Self.scalarEnds.contains(bytes[at]) { at += 1 }
                guard at > start else { throw EnvelopeError.malformed }
                return start..<at
            }
        }
    }
}
