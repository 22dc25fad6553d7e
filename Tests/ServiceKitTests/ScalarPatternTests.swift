import Foundation
import Testing

@testable import ServiceKit

/// The native matcher must say exactly what `NSRegularExpression` says (with ECMA's end anchor), for every
/// pattern the contracts use.
@Suite("Contract patterns matched natively")
struct ScalarPatternTests {
    static let patterns = [
        #"^[ +()./-]*[0-9][0-9 +()./-]*$"#, #"^[!-~]{1,255}$"#, #"^[0-9A-Za-z-]+$"#,
        #"^[0-9]{1,13}([.][0-9]{1,2})?$"#, #"^[0-9]{1,18}_[0-9A-Za-z-]{1,64}$"#, #"^[A-Z]{3}$"#,
        #"^[A-Za-z0-9 -]*[A-Za-z0-9-][A-Za-z0-9 -]*$"#,
        #"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$"#, #"^[A-Za-z0-9._-]{1,64}$"#,
        #"^[A-Za-z]{2}$"#, #"^[^\x00]*$"#,
        #"^[^\x00]*[^\x00-\x20\x7F\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00]*$"#,
    ]

    static let alphabet: [String] = [
        "a", "Z", "0", "9", "-", ".", "_", "@", " ", "+", "(", "/", "!", "~", "`", "\0", "\t", "\n", "\u{7F}",
        "\u{85}", "\u{A0}", "\u{2003}", "\u{3000}", "é", "ß", "😀", "e\u{301}", "x", "1", "@", ".",
    ]

    @Test(arguments: patterns)
    func agreesWithNSRegularExpression(pattern: String) throws {
        let native = try #require(ScalarPattern(pattern), "the contract pattern must be in the native subset")
        // JSON Schema patterns are ECMA-262: `$` is the end of the text. ICU's `$` also matches before a
        // final newline, so the reference ends with `\z` instead.
        let reference = try NSRegularExpression(pattern: String(pattern.dropLast()) + #"\z"#)
        var generator = SystemRandomNumberGenerator()
        var samples = [
            "", "a", "ab", "ABC", "a@b.co", "a@b", "12.5", "12.", "1.234", "10115", " ", "0@0.0",
            "123_abc-DEF", "+49 30 1234567", String(repeating: "x", count: 64), String(repeating: "x", count: 65),
        ]
        for _ in 0..<3_000 {
            let length = Int.random(in: 0...12, using: &generator)
            samples.append((0..<length).map { _ in Self.alphabet.randomElement(using: &generator) ?? "a" }.joined())
        }
        for text in samples {
            let expected = reference.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
            #expect(native.matches(text) == expected, "\(pattern) on \(text.debugDescription)")
        }
    }

    @Test func patternsOutsideTheSubsetAreLeftToNSRegularExpression() {
        #expect(ScalarPattern("abc") == nil)
        #expect(ScalarPattern(#"^\d+$"#) == nil)
        #expect(ScalarPattern("^a|b$") == nil)
        #expect(ScalarPattern("^a.b$") == nil)
    }
}
