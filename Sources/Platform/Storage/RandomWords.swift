import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Random 64-bit words from the system's generator, read 4 KiB at a time: one system call per 512
/// words. Ids and trace ids took one or two calls each (one per byte for a trace id), a few per cent of
/// the order flow's time.
public enum RandomWords {
    private static let pool = Mutex(Pool())

    /// The next random word.
    public static func next() -> UInt64 { pool.withLock { $0.next() } }

    /// The next two random words.
    public static func pair() -> (UInt64, UInt64) { pool.withLock { ($0.next(), $0.next()) } }

    private struct Pool {
        private var words = [UInt64](repeating: 0, count: 512)
        private var used = 512

        mutating func next() -> UInt64 {
            if used == words.count {
                refill()
                used = 0
            }
            defer { used += 1 }
            return words[used]
        }

        private mutating func refill() {
            #if canImport(Glibc)
                words.withUnsafeMutableBytes { bytes in
                    if let base = bytes.baseAddress { arc4random_buf(base, bytes.count) }
                }
            #else
                var generator = SystemRandomNumberGenerator()
                for index in words.indices { words[index] = generator.next() }
            #endif
        }
    }
}
