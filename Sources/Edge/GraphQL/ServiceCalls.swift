import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OpenAPIRuntime
import ServiceKit

/// Sends a generated client's requests to the REST routes of this process (a responder, such as the
/// embedded router), with a context for the GraphQL request's client: the REST middleware (request
/// validation, idempotency, problems) runs as for any HTTP request.
struct RouterTransport: ClientTransport {
    let responder: @Sendable (Request, AppRequestContext) async throws -> Response
    let remoteAddress: SocketAddress?
    let logger: Logger

    func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (
        HTTPResponse, HTTPBody?
    ) {
        var head = request
        head.path = baseURL.path + (request.path ?? "")
        var buffer = ByteBuffer()
        if let body { buffer = ByteBuffer(bytes: try await [UInt8](collecting: body, upTo: 32 << 20)) }
        if body != nil { head.headerFields[.contentLength] = String(buffer.readableBytes) }
        let response = try await responder(
            Request(head: head, body: RequestBody(buffer: buffer)),
            AppRequestContext(inProcess: logger, remoteAddress: remoteAddress))
        return (response.head, HTTPBody(Array(try await response.collectedBody().readableBytesView)))
    }
}

/// Adds the GraphQL request's credentials and request id to every call, and turns an answer that is
/// not a success into the service's ``Problem``, thrown, so resolvers see what a REST client sees.
struct ForwardingMiddleware: ClientMiddleware {
    let headers: HTTPFields

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        for field in headers { request.headerFields[field.name] = field.value }
        let (response, responseBody) = try await next(request, body, baseURL)
        guard response.status.kind != .successful else { return (response, responseBody) }
        var bytes: [UInt8] = []
        if let responseBody { bytes = try await [UInt8](collecting: responseBody, upTo: 1 << 20) }
        if let problem = try? JSONDecoder().decode(Problem.self, from: Data(bytes)) { throw problem }
        throw Problem(
            status: response.status, code: "upstream.failed", detail: "A service answered \(response.status.code).")
    }
}
