import AsyncHTTPClient
import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Orders
import ServiceKit
import Testing
import TestSupport

/// The gateway's retries during a rolling restart: a request goes to the next replica when the first
/// was not reached, and when it closed without answering only if the request is safe to repeat.
@Suite("Gateway retries on another replica")
struct GatewayRetryTests {
    /// A gateway router whose orders service is at `upstreams`, tried in that order.
    private static func gateway(_ upstreams: [String], client: HTTPClient) throws -> Router<AppRequestContext> {
        let contract = try OpenAPIContract(yaml: OrdersService.openAPIDocument)
        let routes = try GatewayRoutes(
            contracts: [("orders", contract)], pairs: upstreams.map { "orders=\($0)" })
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: ProblemMiddleware())
        GatewayProxy(routes: routes, client: client).register(on: router)
        return router
    }

    private static func client() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(2)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    @Test func readsAndKeyedWritesGoToTheNextReplicaWhenOneClosesWithoutAnswering() async throws {
        let closing = try await FakeUpstream(.closeUnanswered)
        let answering = try await FakeUpstream(.answer)
        let client = Self.client()
        let upstreams = ["http://127.0.0.1:\(closing.port)", "http://127.0.0.1:\(answering.port)"]
        // A fresh gateway for each request, so each starts with the closing replica.
        let read = Application(router: try Self.gateway(upstreams, client: client))
        try await read.test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/orders", method: .get)
            #expect(response.status == .ok)
        }
        #expect(answering.requests == 1)

        let keyed = Application(router: try Self.gateway(upstreams, client: client))
        try await keyed.test(.router) { client in
            let response = try await client.execute(
                uri: "/api/v1/orders", method: .post,
                headers: [.contentType: "application/json", .idempotencyKey: "retry-\(UUID().uuidString)"],
                body: ByteBuffer(string: "{}"))
            #expect(response.status == .ok)
        }
        #expect(answering.requests == 2)

        // A write without a key may have been applied by the replica that closed: never sent again.
        let unkeyed = Application(router: try Self.gateway(upstreams, client: client))
        try await unkeyed.test(.router) { client in
            let response = try await client.execute(
                uri: "/api/v1/orders", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: "{}"))
            #expect(response.status == .badGateway)
        }
        #expect(answering.requests == 2)
        await closing.close()
        await answering.close()
        try await client.shutdown()
    }

    @Test func anyRequestGoesToTheNextReplicaWhenTheFirstRefusesTheConnection() async throws {
        let answering = try await FakeUpstream(.answer)
        let client = Self.client()
        let refused = "http://127.0.0.1:\(FreePorts.range())"  // nothing listens there
        let application = Application(
            router: try Self.gateway([refused, "http://127.0.0.1:\(answering.port)"], client: client))
        try await application.test(.router) { client in
            let response = try await client.execute(
                uri: "/api/v1/orders", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: "{}"))
            #expect(response.status == .ok)
        }
        #expect(answering.requests == 1)
        await answering.close()
        try await client.shutdown()
    }
}
