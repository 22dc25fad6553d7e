import Foundation
import Hummingbird
import Logging
import NIOCore
import OpenAPIRuntime
import Storage

/// Turns every error into an RFC 9457 `application/problem+json` response.
///
/// Domain ``Problem``s pass through; bodies the generated server cannot decode become 400 (bad JSON)
/// or 422 (missing or mistyped fields, with field errors); Hummingbird's errors (unknown route,
/// body too large) keep their status; a database that cannot be reached is a 503 with `Retry-After`;
/// anything else is a logged 500 with no details.
public struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let problem = Self.problem(for: error)
            if problem.status >= 500 {
                let logger = RequestScope.current?.logger ?? context.logger
                // The type and a short description only: a database error's full reflection carries the
                // query's bind values (password hashes, tokens).
                logger.error(
                    "request failed",
                    metadata: ["error_type": "\(type(of: error))", "error": "\(String(describing: error).prefix(300))"])
            }
            return Self.response(for: problem)
        }
    }

    /// The response carrying `problem`, with the request id when one is in scope.
    public static func response(for problem: Problem) -> Response {
        var problem = problem
        problem.requestId = RequestScope.current?.requestID
        var headers: HTTPFields = [.contentType: "application/problem+json"]
        if let retryAfter = problem.retryAfter { headers[.retryAfter] = String(retryAfter) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(problem)) ?? Data()
        return Response(
            status: HTTPResponse.Status(code: problem.status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body))
        )
    }

    /// Maps any error to the problem the client sees.
    public static func problem(for error: any Error) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let serverError as ServerError:
            if let inner = serverError.underlyingError as? ServerError { return problem(for: inner) }
            if let problem = serverError.underlyingError as? Problem { return problem }
            if let decoding = Self.decodingError(in: serverError.underlyingError) { return Self.problem(for: decoding) }
            if (400..<500).contains(serverError.httpStatus.code) {
                return Problem(
                    status: serverError.httpStatus, code: "request.invalid", title: "Invalid request",
                    detail: serverError.causeDescription
                )
            }
            if Database.isUnavailable(serverError.underlyingError) { return .databaseUnavailable }
            return .internalError
        case let decoding as DecodingError:
            return Self.problem(for: decoding)
        case is NIOTooManyBytesError:
            return Problem(
                status: .contentTooLarge, code: "request.too_large", title: "Content Too Large",
                detail: Self.detail(for: .contentTooLarge))
        case let http as HTTPError:
            let code: String =
                switch http.status {
                case .notFound: "route.not_found"
                case .contentTooLarge: "request.too_large"
                case .methodNotAllowed: "route.method_not_allowed"
                default: "http.\(http.status.code)"
                }
            return Problem(status: http.status, code: code, detail: http.body ?? Self.detail(for: http.status))
        default:
            return Database.isUnavailable(error) ? .databaseUnavailable : .internalError
        }
    }

    private static func detail(for status: HTTPResponse.Status) -> String {
        switch status {
        case .notFound: "No such route. The API is under /api/v1; see /docs."
        case .contentTooLarge: "The request body is larger than this endpoint accepts."
        default: status.reasonPhrase
        }
    }

    /// The `DecodingError` inside swift-openapi-runtime's error: the runtime wraps it in a type that is
    /// not public, so it is found by reflection (to answer 422 with the field, not a bare 400).
    private static func decodingError(in error: any Error) -> DecodingError? {
        if let decoding = error as? DecodingError { return decoding }
        let mirror = Mirror(reflecting: error)
        for child in mirror.children {
            if let decoding = child.value as? DecodingError { return decoding }
        }
        return nil
    }

    private static func problem(for error: DecodingError) -> Problem {
        func path(_ codingPath: [any CodingKey], _ key: (any CodingKey)? = nil) -> String {
            let keys = codingPath + (key.map { [$0] } ?? [])
            let parts = keys.map { $0.intValue.map(String.init) ?? $0.stringValue }
            return parts.isEmpty ? "body" : parts.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return .validation([FieldError(field: path(context.codingPath, key), message: "is required")])
        case .valueNotFound(_, let context):
            return .validation([FieldError(field: path(context.codingPath), message: "must not be null")])
        case .typeMismatch(let type, let context):
            return .validation([FieldError(field: path(context.codingPath), message: "must be of type \(type)")])
        case .dataCorrupted(let context) where !context.codingPath.isEmpty:
            return .validation([FieldError(field: path(context.codingPath), message: context.debugDescription)])
        case .dataCorrupted:
            return .malformed("The body is not valid JSON.")
        @unknown default:
            return .malformed("The body could not be read.")
        }
    }
}
