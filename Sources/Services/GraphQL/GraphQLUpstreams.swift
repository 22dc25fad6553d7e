import BillingAPI
import CatalogAPI
import CustomersAPI
import Foundation
import GraphQL
import Hummingbird
import Logging
import FulfillmentAPI
import HTTPTypes
import InventoryAPI
import NIOCore
import OpenAPIRuntime
import OrderedCollections
import OrdersAPI
import ServiceKit
import ShippingAPI
import Synchronization

/// How the GraphQL API reaches the services: their generated OpenAPI clients, over a transport made for
/// each request (to this process's REST routes, or over HTTP to the services), so authorization,
/// validation and idempotency are the REST API's in both modes.
public struct GraphQLUpstreams: Sendable {
    /// The transport for one request, made with the client's address.
    let transport: @Sendable (_ remoteAddress: SocketAddress?) -> any ClientTransport
    /// The base URL of a service's API (`/api/v1` in this process).
    let serverURL: @Sendable (_ service: String) -> URL

    public init(
        transport: @escaping @Sendable (_ remoteAddress: SocketAddress?) -> any ClientTransport,
        serverURL: @escaping @Sendable (_ service: String) -> URL
    ) {
        self.transport = transport
        self.serverURL = serverURL
    }

    /// The services in this process: requests go to `responder` (the REST router) as HTTP requests would.
    public static func inProcess(
        logger: Logger, responder: @escaping @Sendable (Request, AppRequestContext) async throws -> Response
    ) -> GraphQLUpstreams {
        GraphQLUpstreams(
            transport: { InProcessTransport(responder: responder, remoteAddress: $0, logger: logger) },
            serverURL: { _ in URL(string: "/api/v1")! })
    }
}

/// One request's clients of the services.
struct ServiceClients: Sendable {
    let catalog: any CatalogAPI.APIProtocol
    let customers: any CustomersAPI.APIProtocol
    let orders: any OrdersAPI.APIProtocol
    let inventory: any InventoryAPI.APIProtocol
    let fulfillment: any FulfillmentAPI.APIProtocol
    let shipping: any ShippingAPI.APIProtocol
    let billing: any BillingAPI.APIProtocol

    init(_ upstreams: GraphQLUpstreams, remoteAddress: SocketAddress?, headers: HTTPFields) {
        let transport = upstreams.transport(remoteAddress)
        let middlewares: [any ClientMiddleware] = [ForwardingMiddleware(headers: headers)]
        func url(_ service: String) -> URL { upstreams.serverURL(service) }
        catalog = CatalogAPI.Client(
            serverURL: url("catalog"), configuration: .sprocket, transport: transport, middlewares: middlewares)
        customers = CustomersAPI.Client(
            serverURL: url("customers"), configuration: .sprocket, transport: transport, middlewares: middlewares)
        orders = OrdersAPI.Client(
            serverURL: url("orders"), configuration: .sprocket, transport: transport, middlewares: middlewares)
        inventory = InventoryAPI.Client(
            serverURL: url("inventory"), configuration: .sprocket, transport: transport, middlewares: middlewares)
        fulfillment = FulfillmentAPI.Client(
            serverURL: url("fulfillment"), configuration: .sprocket, transport: transport, middlewares: middlewares)
        shipping = ShippingAPI.Client(
            serverURL: url("shipping"), configuration: .sprocket, transport: transport, middlewares: middlewares)
        billing = BillingAPI.Client(
            serverURL: url("billing"), configuration: .sprocket, transport: transport, middlewares: middlewares)
    }
}

/// What the resolvers of one request share: the services' clients, the parts and stock already looked
/// up (each SKU once per request, however often it appears), and a count of the calls made.
final class Resolution: Sendable {
    let upstreams: ServiceClients
    private let calls = Atomic<Int>(0)
    /// Lookups by key (`part SKU`, `stock SKU`), each made once.
    private let fetched = Mutex<[String: Task<JSONNode?, any Error>]>([:])

    init(upstreams: ServiceClients) {
        self.upstreams = upstreams
    }

    /// Calls made to the services so far.
    var callCount: Int { calls.load(ordering: .relaxed) }

    /// Runs one call to a service, counted; a service's problem is thrown as the ``Problem`` itself.
    func call<Value>(_ body: () async throws -> Value) async throws -> Value {
        calls.add(1, ordering: .relaxed)
        do {
            return try await body()
        } catch let error as ClientError {
            throw (error.underlyingError as? Problem) ?? error
        }
    }

    /// SKUs the answer will probably ask for (the lines of orders just read, the components of parts):
    /// the first part asked for fetches them all in one call.
    private let expected = Mutex<Set<String>>([])

    /// Notes that parts `skus` may be asked for soon (nothing is fetched yet).
    func expectParts(_ skus: some Sequence<String>) {
        expected.withLock { $0.formUnion(skus) }
    }

    /// Notes the SKUs of the `list` members (`lines` of orders, `components` of kits) in `node`, a page
    /// (`items`) or one object.
    func expectParts(in node: JSONNode, list: String) {
        var skus: [String] = []
        func collect(_ members: OrderedDictionary<String, Map>) {
            guard case .array(let entries)? = members[list] else { return }
            for case .dictionary(let entry) in entries { if let sku = entry["sku"]?.string { skus.append(sku) } }
        }
        if case .array(let items)? = node.members["items"] {
            for case .dictionary(let item) in items { collect(item) }
        } else {
            collect(node.members)
        }
        expectParts(skus)
    }

    /// Part `sku`, or `nil` when there is none; fetched once per request, together with the parts
    /// expected and not fetched yet (up to ``maxBatch`` in one call).
    func part(_ sku: String) async throws -> JSONNode? {
        let task = fetched.withLock { tasks -> Task<JSONNode?, any Error> in
            if let known = tasks["part \(sku)"] { return known }
            var batch = expected.withLock { wanted in
                let batch = wanted.filter { tasks["part \($0)"] == nil }.sorted().prefix(Self.maxBatch - 1)
                wanted.subtract(batch)
                return Array(batch)
            }
            if !batch.contains(sku) { batch.append(sku) }
            let skus = batch
            let page = Task<[String: JSONNode], any Error> {
                let output = try await self.call {
                    try await self.upstreams.catalog.listParts(
                        .init(query: .init(skus: skus.joined(separator: ","), limit: skus.count)))
                }
                var found: [String: JSONNode] = [:]
                if case .array(let items)? = try JSONNode.from(try output.ok.body.json).members["items"] {
                    for case .dictionary(let members) in items {
                        let node = JSONNode(members: members)
                        if let sku = node.string("sku") { found[sku] = node }
                    }
                }
                return found
            }
            for member in batch {
                tasks["part \(member)"] = Task { try await page.value[member.uppercased()] }
            }
            return tasks["part \(sku)"]!
        }
        return try await task.value
    }

    /// The most parts fetched in one call (the catalog's `skus` filter takes 100).
    static let maxBatch = 100

    /// The stock of `sku`, or `nil` for an unknown part; fetched once per request.
    func availability(_ sku: String) async throws -> JSONNode? {
        try await once("stock \(sku)") {
            try JSONNode.from(
                try await self.upstreams.inventory.getAvailability(.init(path: .init(sku: sku))).ok.body.json)
        }
    }

    /// `fetch` run once per key and request (a 404 is `nil`), shared by every field that asks.
    private func once(
        _ key: String, _ fetch: @escaping @Sendable () async throws -> JSONNode
    ) async throws -> JSONNode? {
        let task = fetched.withLock { tasks in
            if let known = tasks[key] { return known }
            let task = Task<JSONNode?, any Error> {
                do {
                    return try await self.call(fetch)
                } catch let problem as Problem where problem.status == 404 {
                    return nil
                }
            }
            tasks[key] = task
            return task
        }
        return try await task.value
    }
}
