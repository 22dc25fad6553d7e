import OpenAPIRuntime

/// Picks a response representation from a request's `Accept` header, for operations that offer more than
/// JSON (a printable HTML page, a CSV export).
public enum ContentNegotiation {
    /// Whether the client prefers `candidate` to `fallback`: it names `candidate` with a quality above zero
    /// and either does not name `fallback` or gives it a lower quality. A browser's `text/html,…,*/*;q=0.8`
    /// gets HTML; no header (the runtime then lists every type at quality 1), `*/*`, `application/json`,
    /// or both types at the same quality get the fallback.
    public static func prefers<T: AcceptableProtocol>(
        _ candidate: T, over fallback: T, in accept: [AcceptHeaderContentType<T>]
    ) -> Bool {
        guard let wanted = accept.filter({ $0.contentType == candidate }).map(\.quality.doubleValue).max(),
            wanted > 0
        else { return false }
        guard let other = accept.filter({ $0.contentType == fallback }).map(\.quality.doubleValue).max() else {
            return true
        }
        return wanted > other
    }
}
