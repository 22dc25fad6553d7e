extension StringProtocol {
    /// The text without leading and trailing white space (Unicode `White_Space`, line breaks included).
    ///
    /// Pure Swift: Foundation's `trimmingCharacters(in:)` goes through `NSString` and was a quarter of an
    /// import's time. Text that needs no trimming is returned without copying its characters.
    public var trimmed: String {
        let scalars = unicodeScalars
        guard let first = scalars.first, let last = scalars.last else { return "" }
        if !first.properties.isWhitespace, !last.properties.isWhitespace { return String(self) }
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(String.UnicodeScalarView(scalars[start...end]))
    }
}
