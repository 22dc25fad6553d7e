import Foundation

/// Time-ordered UUIDs (RFC 9562 version 7): the id format of every entity and event.
public enum UUIDv7 {
    /// A new UUIDv7 string in lower case, e.g. `0192f0c4-6f1e-7cc1-9a53-3d1c8e8d4b2a`: 48 bits of Unix
    /// milliseconds, the version, 74 random bits from the system's generator and the variant.
    public static func make(at date: Date = Date()) -> String {
        let milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1000)) & 0xFFFF_FFFF_FFFF
        let random = RandomWords.pair()
        let high = milliseconds << 16 | 0x7000 | (random.0 & 0x0FFF)
        let low = 0x8000_0000_0000_0000 | (random.1 & 0x3FFF_FFFF_FFFF_FFFF)
        return String(unsafeUninitializedCapacity: 36) { text in
            var position = 0
            func write(_ word: UInt64, dashesBefore first: Int, _ second: Int) {
                for nibble in 0..<16 {
                    if nibble == first || nibble == second {
                        text[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    let value = UInt8(truncatingIfNeeded: word >> (60 - 4 * UInt64(nibble)) & 0xF)
                    text[position] = value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
                    position += 1
                }
            }
            write(high, dashesBefore: 8, 12)
            write(low, dashesBefore: 0, 4)
            return position
        }
    }
}
