import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import NIOHTTP1
import OpenAPIRuntime
import TestSupport

/// Sends a generated client's requests over HTTP (AsyncHTTPClient), to the gateway of a real cluster.
struct HTTPClientTransport: ClientTransport {
    func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (
        HTTPResponse, HTTPBody?
    ) {
        var outgoing = HTTPClientRequest(url: baseURL.absoluteString + (request.path ?? ""))
        outgoing.method = HTTPMethod(rawValue: request.method.rawValue)
        for field in request.headerFields { outgoing.headers.add(name: field.name.rawName, value: field.value) }
        if let body { outgoing.body = .bytes(ByteBuffer(bytes: try await [UInt8](collecting: body, upTo: 32 << 20))) }
        let response = try await HTTPClient.shared.execute(outgoing, timeout: .seconds(10))
        var fields = HTTPFields()
        for header in response.headers {
            if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
        }
        let bytes = try await response.body.collect(upTo: 10 << 20)
        return (
            HTTPResponse(status: .init(code: Int(response.status.code)), headerFields: fields),
            HTTPBody(Array(bytes.readableBytesView))
        )
    }
}

extension Clients {
    /// The generated clients calling `gateway` over HTTP as the holder of `token` (or anonymously).
    init(gateway: String, token: String? = nil) {
        self.init(transport: HTTPClientTransport(), server: gateway, token: token)
    }
}
