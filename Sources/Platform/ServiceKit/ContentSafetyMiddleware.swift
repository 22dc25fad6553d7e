import Hummingbird

/// Headers that keep a browser from reading a response as something else: `nosniff` on every response,
/// a charset on text, and on the API's HTML (the printable invoice, slip and pick list: inline styles,
/// no scripts, no outside assets) a Content-Security-Policy that allows nothing else.
public struct ContentSafetyMiddleware<Context: RequestContext>: RouterMiddleware {
    /// What a printable page may load: its own inline style, nothing more; it may not be framed.
    public static var printablePagePolicy: String {
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    }

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var response = try await next(request, context)
        response.headers[.xContentTypeOptions] = "nosniff"
        guard let type = response.headers[.contentType] else { return response }
        let media = type.split(separator: ";").first.map { $0.trimmed.lowercased() } ?? ""
        if media.hasPrefix("text/"), !type.lowercased().contains("charset=") {
            response.headers[.contentType] = "\(type); charset=utf-8"
        }
        if media == "text/html", request.uri.path.hasPrefix("/api/") {
            response.headers[.contentSecurityPolicy] = Self.printablePagePolicy
        }
        return response
    }
}
