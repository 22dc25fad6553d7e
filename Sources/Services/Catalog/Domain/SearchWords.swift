/// Part search words as queries of SQLite's trigram index (FTS5 `trigram` tokenizer, `detail = none`).
public enum SearchWords {
    /// Each word of three or more characters as an FTS5 query of all its trigrams (`"bra" AND "rak" AND
    /// "ake"`): every part holding the word matches, and a few holding its trigrams apart do too (the
    /// search checks `LIKE '%word%'` after). Shorter words cannot be looked up by trigram and are left to
    /// `LIKE`. Empty when no word is long enough.
    public static func trigramQueries(_ words: [String]) -> [String] {
        words.compactMap { word in
            let scalars = Array(word.unicodeScalars)
            guard scalars.count >= 3 else { return nil }
            var seen: Set<String> = []
            var trigrams: [String] = []
            for start in 0...(scalars.count - 3) {
                var trigram = String.UnicodeScalarView()
                trigram.append(contentsOf: scalars[start..<start + 3])
                let text = String(trigram)
                if seen.insert(text).inserted { trigrams.append("\"" + text.replacing("\"", with: "\"\"") + "\"") }
            }
            return trigrams.joined(separator: " AND ")
        }
    }
}
