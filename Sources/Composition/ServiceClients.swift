import BillingAPI
import CatalogAPI
import CustomersAPI
import Foundation
import FulfillmentAPI
import HTTPTypes
import InventoryAPI
import OpenAPIRuntime
import OrdersAPI
import SalesAPI
import ServiceKit
import ShippingAPI

/// Adds the caller's bearer token and any other headers to every request.
public struct CallerHeaders: ClientMiddleware {
    let headers: HTTPFields

    public func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        for field in headers { request.headerFields[field.name] = field.value }
        return try await next(request, body, baseURL)
    }
}

/// Every service's generated client, for one caller (a bearer token, or none), over one transport: what
/// `sprocket demo --gateway` and the API tests call the services with.
public struct Clients: Sendable {
    package let catalog: CatalogAPI.Client
    package let customers: CustomersAPI.Client
    package let inventory: InventoryAPI.Client
    package let orders: OrdersAPI.Client
    package let fulfillment: FulfillmentAPI.Client
    package let shipping: ShippingAPI.Client
    package let billing: BillingAPI.Client
    package let sales: SalesAPI.Client

    /// Clients sending through `transport` to `/api/v1` on `server` (a path alone for in-process transports).
    public init(
        transport: any ClientTransport, server: String = "", token: String? = nil, headers: HTTPFields = [:]
    ) {
        var headers = headers
        if let token { headers[.authorization] = "Bearer \(token)" }
        let middlewares = [CallerHeaders(headers: headers)]
        let url = URL(string: "\(server)/api/v1") ?? URL(fileURLWithPath: "/api/v1")
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
