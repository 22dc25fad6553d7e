import Foundation

/// Email addresses as account keys: trimmed, lower-cased, plausibly shaped.
public enum Email {
    /// The longest address accepted, in bytes (RFC 5321's path limit).
    public static let maxLength = 254

    /// The normalised address, or `nil` when `text` is not shaped like an email address.
    public static func normalize(_ text: String) -> String? {
        guard text.utf8.count <= maxLength + 16 else { return nil }
        let email = text.trimmed.lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.utf8.count <= maxLength, parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64,
            parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."), !parts[1].contains(".."),
            !email.contains(where: { $0.isWhitespace || $0.isNewline || "<>()[],;:\\\"".contains($0) })
        else { return nil }
        return email
    }
}
