/// How many of something each key (an address, an account) holds now, for limits per key: a key is
/// kept only while it holds at least one, so the table is as large as what is held, not as what was.
public struct KeyedCounts: Sendable {
    private var counts: [String: Int] = [:]

    public init() {}

    /// What `key` holds now.
    public subscript(key: String) -> Int { counts[key, default: 0] }

    /// Counts one more for `key` when it holds fewer than `limit`; `false` (nothing counted) otherwise.
    public mutating func enter(_ key: String, limit: Int) -> Bool {
        let held = counts[key, default: 0]
        guard held < limit else { return false }
        counts[key] = held + 1
        return true
    }

    /// Counts one less for `key`.
    public mutating func leave(_ key: String) {
        let held = counts[key, default: 1] - 1
        counts[key] = held > 0 ? held : nil
    }
}
