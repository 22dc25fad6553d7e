import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import OpenAPIRuntime
import Composition

/// Sends a generated client's requests through the test router: the real middleware, handlers and stores.
struct TestRouterTransport: ClientTransport {
    let client: any TestClientProtocol

    func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (
        HTTPResponse, HTTPBody?
    ) {
        var buffer: ByteBuffer?
        if let body { buffer = ByteBuffer(bytes: try await [UInt8](collecting: body, upTo: 32 << 20)) }
        let response = try await client.execute(
            uri: baseURL.path + (request.path ?? ""), method: request.method, headers: request.headerFields,
            body: buffer)
        return (
            HTTPResponse(status: response.status, headerFields: response.headers),
            HTTPBody(Array(response.body.readableBytesView))
        )
    }
}

extension TestClientProtocol {
    /// The generated clients, calling as the holder of `token` (or anonymously).
    func clients(_ token: String? = nil, headers: HTTPFields = [:]) -> Clients {
        Clients(transport: TestRouterTransport(client: self), token: token, headers: headers)
    }
}
