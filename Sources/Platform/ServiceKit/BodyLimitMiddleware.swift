import Hummingbird

/// Reads the whole request body up to `maxBytes` before routing; a larger body is a 413 problem.
///
/// Every endpoint of this API takes small JSON bodies, so buffering is cheap and lets later
/// middleware (idempotency) hash the body.
public struct BodyLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    private let maxBytes: Int

    public init(maxBytes: Int = 1 << 20) {
        self.maxBytes = maxBytes
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        var request = request
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBytes {
            throw HTTPError(.contentTooLarge)
        }
        let buffer = try await request.collectBody(upTo: maxBytes)
        request.body = RequestBody(buffer: buffer)

        return try await next(request, context)
    }
}
