import Hummingbird

/// Reads the whole request body up to its limit before routing; a larger body is a 413 problem.
///
/// Endpoints take small JSON bodies (1 MiB at most) except CSV uploads (``BodyLimits``), so buffering
/// is cheap and lets later middleware (idempotency) hash the body.
public struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    private let maxBytes: Int?

    /// `maxBytes` for every path, or (`nil`) ``BodyLimits/maxBytes(forPath:)``.
    public init(maxBytes: Int? = nil) {
        self.maxBytes = maxBytes
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var request = request
        let maxBytes = maxBytes ?? BodyLimits.maxBytes(forPath: request.uri.path)
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBytes {
            throw HTTPError(.contentTooLarge)
        }
        let buffer = try await request.collectBody(upTo: maxBytes)
        request.body = RequestBody(buffer: buffer)

        return try await next(request, context)
    }
}
