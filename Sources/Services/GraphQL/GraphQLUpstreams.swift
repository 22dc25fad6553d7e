import CatalogAPI
import CustomersAPI
import OrdersAPI
import ServiceKit
import Synchronization

/// The services the GraphQL API reads and writes, through their generated OpenAPI `APIProtocol`s: in
/// one process the services' own handlers, so authorization, validation and idempotency are the REST
/// API's.
public struct GraphQLUpstreams: Sendable {
    package var catalog: any CatalogAPI.APIProtocol
    package var customers: any CustomersAPI.APIProtocol
    package var orders: any OrdersAPI.APIProtocol

    package init(
        catalog: any CatalogAPI.APIProtocol, customers: any CustomersAPI.APIProtocol,
        orders: any OrdersAPI.APIProtocol
    ) {
        self.catalog = catalog
        self.customers = customers
        self.orders = orders
    }
}

/// What the resolvers of one request share: the services, the parts already looked up (each SKU once
/// per request, however often it appears), and a count of the calls made to the services.
final class Resolution: Sendable {
    let upstreams: GraphQLUpstreams
    private let calls = Atomic<Int>(0)
    private let parts = Mutex<[String: Task<JSONNode?, any Error>]>([:])

    init(upstreams: GraphQLUpstreams) {
        self.upstreams = upstreams
    }

    /// Calls made to the services so far.
    var callCount: Int { calls.load(ordering: .relaxed) }

    /// Runs one call to a service, counted.
    func call<Value>(_ body: () async throws -> Value) async throws -> Value {
        calls.add(1, ordering: .relaxed)
        return try await body()
    }

    /// Part `sku`, or `nil` when there is none; fetched once per request.
    func part(_ sku: String) async throws -> JSONNode? {
        let task = parts.withLock { cache in
            if let known = cache[sku] { return known }
            let upstreams = self.upstreams
            let task = Task<JSONNode?, any Error> {
                self.calls.add(1, ordering: .relaxed)
                do {
                    return try JSONNode.from(
                        try await upstreams.catalog.getPart(.init(path: .init(sku: sku))).ok.body.json)
                } catch let problem as Problem where problem.status == 404 {
                    return nil
                }
            }
            cache[sku] = task
            return task
        }
        return try await task.value
    }
}
