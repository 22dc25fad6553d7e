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
            transport: { RouterTransport(responder: responder, remoteAddress: $0, logger: logger) },
            serverURL: { _ in URL(string: "/api/v1") ?? URL(fileURLWithPath: "/api/v1") })
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

    /// Orders a subscription follows (`orderUpdated`), recorded as it resolves them.
    private let watched = Mutex<Set<String>>([])

    /// The most calls this request may make (``QueryLimits/maxCalls``); the next one fails.
    let maxCalls: Int
    /// The calls under way at once (``QueryLimits/maxConcurrentCalls``); the rest wait their turn.
    private let underWay: WaitingSlots

    /// The store currency (ISO 4217), for prices a client writes as plain numbers (the legacy schema).
    let currency: String

    init(upstreams: ServiceClients, limits: QueryLimits = .init(), currency: String = "EUR") {
        self.upstreams = upstreams
        self.currency = currency
        self.maxCalls = limits.maxCalls
        self.underWay = WaitingSlots(concurrency: limits.maxConcurrentCalls, queueLimit: limits.maxCalls)
    }

    func watch(order id: String) { _ = watched.withLock { $0.insert(id) } }

    var watchedOrders: Set<String> { watched.withLock { $0 } }

    /// Calls made to the services so far.
    var callCount: Int { calls.load(ordering: .relaxed) }

    /// Runs one call to a service, counted; a service's problem is thrown as the ``Problem`` itself.
    func call<Value: Sendable>(_ body: () async throws -> Value) async throws -> Value {
        guard calls.add(1, ordering: .relaxed).newValue <= maxCalls else { throw Self.tooManyCalls(maxCalls) }
        do {
            return try await underWay.run(refusal: Self.tooManyCalls(maxCalls)) { try await body() }
        } catch let error as ClientError {
            throw (error.underlyingError as? Problem) ?? error
        }
    }

    private static func tooManyCalls(_ maxCalls: Int) -> Problem {
        Problem(
            status: .badRequest, code: "graphql.too_many_calls",
            detail: "The query called the services more than the \(maxCalls) times a request may.")
    }

    /// SKUs the answer will probably ask for (the lines of orders just read, the components of parts),
    /// by what is asked (`part`, `stock`): the first of them asked for fetches them all in one call.
    private let expected = Mutex<[String: Set<String>]>([:])

    /// Notes that parts `skus` (and their stock) may be asked for soon (nothing is fetched yet).
    func expectParts(_ skus: some Sequence<String>) {
        let skus = Set(skus)
        expected.withLock { wanted in
            wanted["part", default: []].formUnion(skus)
            wanted["stock", default: []].formUnion(skus)
        }
    }

    /// Notes the SKUs of the `list` members (`lines` of orders, `components` of kits) in `node`, a page
    /// (`items`) or one object; and for a page of parts, the parts themselves (for their stock).
    func expectParts(in node: JSONNode, list: String) {
        var skus: [String] = []
        func collect(_ members: OrderedDictionary<String, Map>) {
            if list == "components", let sku = members["sku"]?.string {
                expected.withLock { $0["stock", default: []].insert(sku) }
            }
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

    /// Part `sku`, or `nil` when there is none; fetched once per request, with the parts expected and not
    /// fetched yet (up to ``maxBatch`` in one call).
    func part(_ sku: String) async throws -> JSONNode? {
        try await batched("part", sku) { skus in
            let output = try await self.upstreams.catalog.listParts(
                .init(query: .init(skus: skus.joined(separator: ","), limit: skus.count)))
            return try JSONNode.from(try output.ok.body.json)
        }
    }

    /// The stock of `sku`, or `nil` for an unknown part; fetched once per request, with the stock of the
    /// parts expected.
    func availability(_ sku: String) async throws -> JSONNode? {
        try await batched("stock", sku) { skus in
            let output = try await self.upstreams.inventory.listAvailability(
                .init(query: .init(skus: skus.joined(separator: ","))))
            return try JSONNode.from(try output.ok.body.json)
        }
    }

    /// `kind` of `sku` from a call that fetches it with the other expected SKUs of that kind not fetched
    /// yet: `fetch` answers a page whose `items` have a `sku`. Each SKU is fetched once per request.
    private func batched(
        _ kind: String, _ sku: String, _ fetch: @escaping @Sendable ([String]) async throws -> JSONNode
    ) async throws -> JSONNode? {
        let task = fetched.withLock { tasks -> Task<JSONNode?, any Error> in
            if let known = tasks["\(kind) \(sku)"] { return known }
            var batch = expected.withLock { wanted in
                let batch = (wanted[kind] ?? []).filter { tasks["\(kind) \($0)"] == nil && $0 != sku }.sorted()
                    .prefix(Self.maxBatch - 1)
                wanted[kind]?.subtract(batch)
                return Array(batch)
            }
            batch.append(sku)
            let skus = batch
            let page = Task<[String: JSONNode], any Error> {
                let answer = try await self.call { try await fetch(skus) }
                var found: [String: JSONNode] = [:]
                if case .array(let items)? = answer.members["items"] {
                    for case .dictionary(let members) in items {
                        let node = JSONNode(members: members)
                        if let sku = node.string("sku") { found[sku] = node }
                    }
                }
                return found
            }
            var asked: Task<JSONNode?, any Error>?
            for member in batch {
                let task = Task { try await page.value[member.uppercased()] }
                tasks["\(kind) \(member)"] = task
                if member == sku { asked = task }
            }
            return asked ?? Task { try await page.value[sku.uppercased()] }
        }
        return try await task.value
    }

    /// The most parts fetched in one call (the catalog's `skus` filter takes 100).
    static let maxBatch = 100

}
