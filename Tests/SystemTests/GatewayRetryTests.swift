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

/// An upstream on a real socket that either answers every request with 200, counting them, or closes
/// the connection as soon as a request arrives, without answering (a replica stopping mid-request).
private final class FakeUpstream: Sendable {
    enum Behaviour { case answer, closeUnanswered }

    let port: Int
    private let channel: any Channel
    private let counter: NIOLockedValueBox<Int>

    var requests: Int { counter.withLockedValue { $0 } }

    init(_ behaviour: Behaviour) async throws {
        let counter = NIOLockedValueBox(0)
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Handler(behaviour: behaviour, counter: counter))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
        self.counter = counter
    }

    func close() async { try? await channel.close() }

    private final class Handler: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let behaviour: Behaviour
        let counter: NIOLockedValueBox<Int>

        init(behaviour: Behaviour, counter: NIOLockedValueBox<Int>) {
            self.behaviour = behaviour
            self.counter = counter
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let text = String(buffer: unwrapInboundIn(data))
            guard text.contains("\r\n\r\n") else { return }  // the head, whole (the tests' bodies are small)
            switch behaviour {
            case .closeUnanswered:
                context.close(promise: nil)
            case .answer:
                counter.withLockedValue { $0 += 1 }
                let body = #"{"ok":true}"#
                context.writeAndFlush(
                    wrapOutboundOut(
                        ByteBuffer(
                            string:
                                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: \(body.utf8.count)\r\n\r\n\(body)"
                        )),
                    promise: nil)
            }
        }
    }
}

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
