/// How large a request body may be: small JSON everywhere, larger CSV uploads where a contract takes
/// them (`POST /imports`).
public enum BodyLimits {
    public static let standard = 1 << 20
    public static let upload = 32 << 20

    /// The limit for a request to `path` (a query string after it is ignored).
    public static func maxBytes(forPath path: String) -> Int {
        let path = path.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return path.hasSuffix("/imports") ? upload : standard
    }
}
