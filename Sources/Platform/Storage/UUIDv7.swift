import Foundation

/// Time-ordered UUIDs (RFC 9562 version 7): the id format of every entity and event.
public enum UUIDv7 {
    /// A new UUIDv7 string in lower case, e.g. `0192f0c4-6f1e-7cc1-9a53-3d1c8e8d4b2a`: 48 bits of Unix
    /// milliseconds, the version, 74 random bits (two reads of the system's generator) and the variant.
    public static func make(at date: Date = Date()) -> String {
        let milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1000)) & 0xFFFF_FFFF_FFFF
        var generator = SystemRandomNumberGenerator()
        let random: (UInt64, UInt64) = (generator.next(), generator.next())
        let high = milliseconds << 16 | 0x7000 | (random.0 & 0x0FFF)
        let low = 0x8000_0000_0000_0000 | (random.1 & 0x3FFF_FFFF_FFFF_FFFF)
        return String(unsafeUninitializedCapacity: 36) { text in
            let digits = Array("0123456789abcdef".utf8)
            var position = 0
            for (word, dashes) in [(high, [8, 12]), (low, [0, 4])] {
                for nibble in 0..<16 {
                    if dashes.contains(nibble) {
                        text[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    text[position] = digits[Int(word >> (60 - 4 * UInt64(nibble)) & 0xF)]
                    position += 1
                }
            }
            return position
        }
    }
}
