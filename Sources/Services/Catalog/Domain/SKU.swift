/// Stock-keeping unit rules: 1–64 of A–Z, 0–9, `-`, `.`, `_`, compared without case.
///
/// SKUs are stored and shown in upper case, so `brk-100` and `BRK-100` are the same part.
public enum SKU {
    /// The canonical (upper-case) SKU, or `nil` when `text` breaks the rules.
    public static func normalize(_ text: String) -> String? {
        let upper = text.uppercased()
        guard (1...64).contains(upper.count),
            upper.unicodeScalars.allSatisfy({
                ("A"..."Z").contains($0) || ("0"..."9").contains($0) || "-._".unicodeScalars.contains($0)
            })
        else { return nil }
        return upper
    }

    public static let rule = "must be 1 to 64 characters of A-Z, 0-9, '-', '.', '_'"
}
