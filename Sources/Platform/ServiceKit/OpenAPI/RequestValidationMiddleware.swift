import Foundation
import HTTPTypes
import Hummingbird

/// Enforces the services' OpenAPI contracts before any handler runs: every declared limit on
/// parameters and JSON bodies (ranges, lengths, item counts, patterns, enums, required fields) is
/// checked, and a violation is a 422 problem listing each field; nothing is written.
///
/// An operation that declares a bearer requirement answers 401 at once when no `Authorization` header
/// is sent. A path parameter that breaks its schema is a 404 (no resource can have that id). A known path with
/// an undeclared method is a 405 problem with an `Allow` header (an `OPTIONS`
/// request gets 204 with `Allow`). Paths outside the contracts (health, docs) pass through. Needs
/// ``BodyLimitMiddleware`` in front of it; the collected body is passed on, so handlers read it again.
public struct RequestValidationMiddleware<Context: RequestContext>: RouterMiddleware {
    private let contracts: [OpenAPIContract]

    public init(contracts: [OpenAPIContract]) {
        self.contracts = contracts
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let matches = contracts.compactMap { $0.match(request.uri.path) }
        guard
            let (route, pathParameters) = matches.max(by: {
                $0.0.segments.compactMap { $0 }.count < $1.0.segments.compactMap { $0 }.count
            })
        else {
            return try await next(request, context)
        }
        guard let operation = route.operations[request.method] else {
            let allow = route.allowed.map(\.rawValue).joined(separator: ", ")
            if request.method == .options {
                return Response(status: .noContent, headers: [.allow: allow])
            }
            var response = ProblemMiddleware<Context>.response(
                for: Problem(
                    status: .methodNotAllowed, code: "route.method_not_allowed", title: "Method not allowed",
                    detail: "\(request.method.rawValue) is not allowed here; allowed: \(allow).")
            )
            response.headers[.allow] = allow
            return response
        }
        if operation.secured, request.headers[.authorization] == nil {
            throw Problem.unauthenticated()
        }
        var errors: [FieldError] = []
        for parameter in operation.parameters {
            let raw: String?
            switch parameter.location {
            case .path: raw = pathParameters[parameter.name]
            case .query: raw = request.uri.queryParameters[parameter.name[...]].map(String.init)
            case .header: raw = HTTPField.Name(parameter.name).flatMap { request.headers[$0] }
            }
            guard let raw else {
                if parameter.required { errors.append(FieldError(field: parameter.name, message: "is required")) }
                continue
            }
            let value = Self.value(raw, for: parameter.schema)
            var parameterErrors: [FieldError] = []
            parameter.schema.validate(value, at: parameter.name, into: &parameterErrors)
            if !parameterErrors.isEmpty, parameter.location == .path {
                // No resource can have this id, so the path names nothing.
                throw Problem.notFound(
                    "route.not_found",
                    "Nothing is at \(request.uri.path): \(parameter.name) \(parameterErrors[0].message).")
            }
            if !parameterErrors.isEmpty, !parameter.schema.isWellFormed(value) {
                // A value of the wrong type, outside an enum or not a date: the parameter is unreadable.
                throw Problem(
                    status: .badRequest, code: "request.invalid", title: "Invalid request",
                    detail: "The \(parameter.location.rawValue) parameter \(parameter.name) cannot be read.",
                    errors: parameterErrors)
            }
            errors += parameterErrors
        }
        var request = request
        if let schema = operation.body,
            Self.isJSON(request.headers[.contentType]) || request.headers[.contentType] == nil
        {
            let body = try await request.collectBody(upTo: 1 << 20)
            request.body = RequestBody(buffer: body)
            if body.readableBytes == 0 {
                if operation.bodyRequired { throw Problem.malformed("This endpoint needs a JSON body.") }
            } else {
                guard let value = JSONValue(parsing: Array(body.readableBytesView)) else {
                    throw Problem.malformed("The body is not valid JSON.")
                }
                schema.validate(value, at: "", into: &errors)
            }
        }
        if !errors.isEmpty {
            throw Problem.validation(
                errors.map { $0.field.isEmpty ? FieldError(field: "body", message: $0.message) : $0 })
        }
        guard let deprecation = operation.deprecation else { return try await next(request, context) }
        var response = try await next(request, context)
        deprecation.annotate(&response.headers)
        return response
    }

    /// A parameter's text as the JSON value its schema expects (integers, numbers and `true`/`false`
    /// parsed; anything else a string).
    private static func value(_ raw: String, for schema: JSONSchema) -> JSONValue {
        if schema.types?.contains("boolean") == true, raw == "true" || raw == "false" { return .boolean(raw == "true") }
        if schema.types?.contains("integer") == true, let integer = Int64(raw) { return .integer(integer) }
        if schema.types?.contains("number") == true, let number = Double(raw) { return .number(number) }
        return .string(raw)
    }

    private static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let media = contentType.split(separator: ";").first?.trimmed.lowercased()
        return media == "application/json" || media?.hasSuffix("+json") == true
    }
}
