import BillingAPI
import CatalogAPI
import CustomersAPI
import Foundation
import FulfillmentAPI
import HTTPTypes
import HummingbirdTesting
import InventoryAPI
import NIOCore
import OpenAPIRuntime
import OrdersAPI
import SalesAPI
import ServiceKit
import ShippingAPI

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

/// Adds the caller's bearer token and any other headers to every request.
struct CallerHeaders: ClientMiddleware {
    let headers: HTTPFields

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        for field in headers { request.headerFields[field.name] = field.value }
        return try await next(request, body, baseURL)
    }
}

/// Every service's generated client, for one caller (a bearer token, or none), through the test router.
struct Clients {
    let catalog: CatalogAPI.Client
    let customers: CustomersAPI.Client
    let inventory: InventoryAPI.Client
    let orders: OrdersAPI.Client
    let fulfillment: FulfillmentAPI.Client
    let shipping: ShippingAPI.Client
    let billing: BillingAPI.Client
    let sales: SalesAPI.Client

    init(_ client: any TestClientProtocol, token: String? = nil, headers: HTTPFields = [:]) {
        var headers = headers
        if let token { headers[.authorization] = "Bearer \(token)" }
        let transport = TestRouterTransport(client: client)
        let middlewares = [CallerHeaders(headers: headers)]
        let url = URL(string: "/api/v1") ?? URL(fileURLWithPath: "/api/v1")
        catalog = .init(serverURL: url, configuration: .sprocket, transport: transport, middlewares: middlewares)
        customers = .init(serverURL: url, configuration: .sprocket, transport: transport, middlewares: middlewares)
        inventory = .init(serverURL: url, configuration: .sprocket, transport: transport, middlewares: middlewares)
        orders = .init(serverURL: url, configuration: .sprocket, transport: transport, middlewares: middlewares)
        fulfillment = .init(serverURL: url, configuration: .sprocket, transport: transport, middlewares: middlewares)
        shipping = .init(serverURL: url, configuration: .sprocket, transport: transport, middlewares: middlewares)
        billing = .init(serverURL: url, configuration: .sprocket, transport: transport, middlewares: middlewares)
        sales = .init(serverURL: url, configuration: .sprocket, transport: transport, middlewares: middlewares)
    }
}

extension TestClientProtocol {
    /// The generated clients, calling as the holder of `token` (or anonymously).
    func clients(_ token: String? = nil, headers: HTTPFields = [:]) -> Clients {
        Clients(self, token: token, headers: headers)
    }
}
