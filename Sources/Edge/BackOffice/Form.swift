import Foundation
import Hummingbird

/// A posted HTML form (`application/x-www-form-urlencoded`), read leniently but safely: a body that is
/// too large or not valid percent-encoding is no form.
enum Form {
    static let maxBytes = 16 << 10

    /// The fields of `request`'s body (the first value of a repeated name), or `nil` when unreadable.
    static func read(_ request: Request) async throws -> [String: String]? {
        guard let buffer = try? await request.body.collect(upTo: maxBytes) else { return nil }
        return parse(String(decoding: buffer.readableBytesView, as: UTF8.self))
    }

    static func parse(_ body: String) -> [String: String]? {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]), let value = decode(parts.count > 1 ? parts[1] : "") else { return nil }
            if fields[name] == nil { fields[name] = value }
        }
        return fields
    }

    private static func decode(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    /// `path` with the query parameter `name=value` added.
    static func path(_ path: String, adding name: String, _ value: String) -> String {
        path + (path.contains("?") ? "&" : "?") + name + "=" + encode(value)
    }

    /// `text` percent-encoded for a query's value.
    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
