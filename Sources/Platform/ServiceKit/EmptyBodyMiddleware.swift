import HTTPTypes
import OpenAPIRuntime

/// Hands the generated server no body at all when the request's body is empty.
///
/// Hummingbird's OpenAPI transport always passes a body, so an operation with an optional JSON body
/// (e.g. `POST /orders/{id}/cancel`) would fail to decode an empty one; with this middleware it
/// sees `nil`, as the OpenAPI document says it may.
public struct EmptyBodyMiddleware: ServerMiddleware {
    public init() {}

    public func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard let body else { return try await next(request, nil, metadata) }
        let bytes = try await [UInt8](collecting: body, upTo: BodyLimits.upload)
        return try await next(request, bytes.isEmpty ? nil : HTTPBody(bytes), metadata)
    }
}
