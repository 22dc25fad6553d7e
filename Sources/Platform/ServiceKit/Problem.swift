import Foundation
import HTTPTypes

/// One invalid input field: a JSON-pointer-like path and what is wrong with it.
public struct FieldError: Codable, Sendable, Equatable {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

/// An RFC 9457 problem: every error the API returns, as `application/problem+json`.
///
/// `code` is stable and machine-readable (`catalog.part_not_found`); `title` and `detail` are for people.
public struct Problem: Error, Codable, Sendable, Equatable {
    public var type: String
    public var title: String
    public var status: Int
    public var detail: String?
    public var code: String
    public var errors: [FieldError]?
    /// Extra members, e.g. `allowed` for an illegal transition.
    public var allowed: [String]?
    /// Seconds until a retry may succeed (also sent as `Retry-After`).
    public var retryAfter: Int?
    public var requestId: String?

    public init(
        status: HTTPResponse.Status, code: String, title: String? = nil, detail: String? = nil,
        errors: [FieldError]? = nil, allowed: [String]? = nil, retryAfter: Int? = nil
    ) {
        self.type = "https://sprocket.dev/problems/\(code.replacingOccurrences(of: ".", with: "/"))"
        self.title = title ?? status.reasonPhrase
        self.status = status.code
        self.detail = detail
        self.code = code
        self.errors = errors
        self.allowed = allowed
        self.retryAfter = retryAfter
    }
}

extension Problem {
    /// 422: the request is well-formed but some fields are invalid.
    public static func validation(_ errors: [FieldError], detail: String = "Some fields are invalid.") -> Problem {
        Problem(
            status: .unprocessableContent, code: "validation.failed", title: "Invalid input", detail: detail,
            errors: errors)
    }

    /// 400: the body is not the JSON the endpoint expects.
    public static func malformed(_ detail: String, errors: [FieldError]? = nil) -> Problem {
        Problem(
            status: .badRequest, code: "request.malformed", title: "Malformed request", detail: detail, errors: errors)
    }

    /// 401: no valid bearer token.
    public static func unauthenticated(_ detail: String = "A valid bearer token is required.") -> Problem {
        Problem(status: .unauthorized, code: "auth.unauthenticated", title: "Unauthenticated", detail: detail)
    }

    /// 403: authenticated, but the role does not allow this.
    public static func forbidden(_ detail: String = "Your role does not allow this.") -> Problem {
        Problem(status: .forbidden, code: "auth.forbidden", title: "Forbidden", detail: detail)
    }

    /// 404 with a domain code.
    public static func notFound(_ code: String, _ detail: String) -> Problem {
        Problem(status: .notFound, code: code, title: "Not found", detail: detail)
    }

    /// 409 with a domain code.
    public static func conflict(_ code: String, _ detail: String, allowed: [String]? = nil) -> Problem {
        Problem(status: .conflict, code: code, title: "Conflict", detail: detail, allowed: allowed)
    }

    /// 500 without details: the cause is only logged.
    public static let internalError = Problem(
        status: .internalServerError, code: "internal", title: "Internal error",
        detail: "Something went wrong on our side; the request id identifies it in the logs."
    )

    /// The service's database cannot be reached right now.
    public static let databaseUnavailable = Problem(
        status: .serviceUnavailable, code: "service.unavailable", title: "Service Unavailable",
        detail: "The service cannot reach its database right now; retry shortly.", retryAfter: 2
    )
}

/// Validation that collects every field error before failing.
public struct Validator: Sendable {
    public private(set) var errors: [FieldError] = []

    public init() {}

    /// Records `message` for `field` unless `condition` holds.
    public mutating func check(_ condition: Bool, _ field: String, _ message: String) {
        if !condition { errors.append(FieldError(field: field, message: message)) }
    }

    /// Records an error for `field`.
    public mutating func fail(_ field: String, _ message: String) {
        errors.append(FieldError(field: field, message: message))
    }

    /// Throws a 422 problem listing every recorded error, if any.
    public func throwIfInvalid() throws(Problem) {
        if !errors.isEmpty { throw Problem.validation(errors) }
    }
}
