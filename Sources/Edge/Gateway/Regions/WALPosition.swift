/// A position in the home region's PostgreSQL write-ahead log (an LSN, written `16/B374D848`): the
/// consistency token of read-your-writes. A write's answer carries the position after its commit; a
/// regional read that carries it is served from the region's replica only once the replica has
/// replayed that far.
public struct WALPosition: Sendable, Hashable, Comparable, LosslessStringConvertible {
    public let value: UInt64

    public init(_ value: UInt64) { self.value = value }

    /// Parses PostgreSQL's `pg_lsn` text (two hexadecimal halves of at most 8 digits, joined by `/`);
    /// `nil` for anything else, so a forged token cannot crash or mislead more than a missing one.
    public init?(_ description: String) {
        let halves = description.split(separator: "/", omittingEmptySubsequences: false)
        guard halves.count == 2, let high = Self.half(halves[0]), let low = Self.half(halves[1]) else { return nil }
        value = high << 32 | low
    }

    private static func half(_ text: Substring) -> UInt64? {
        let hexDigits = Set("0123456789abcdefABCDEF".utf8)
        guard (1...8).contains(text.utf8.count), text.utf8.allSatisfy(hexDigits.contains) else { return nil }
        return UInt64(text, radix: 16)
    }

    public var description: String {
        String(value >> 32, radix: 16, uppercase: true) + "/" + String(value & 0xFFFF_FFFF, radix: 16, uppercase: true)
    }

    public static func < (lhs: WALPosition, rhs: WALPosition) -> Bool { lhs.value < rhs.value }
}
