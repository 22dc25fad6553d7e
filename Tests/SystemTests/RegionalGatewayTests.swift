import AsyncHTTPClient
import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import NIOCore
import Orders
import ServiceKit
import Testing
import TestSupport

/// A regional gateway over real sockets: reads from the region's services, writes to home, a read with a
/// token the replica has not reached waits for it or goes home, and a cut-off home refuses writes at
/// once; every answer says which region gave it and how old its data may be.
@Suite("Regional gateway")
struct RegionalGatewayTests {
    private static func client() -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(2)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// A regional gateway router whose orders service is `local` and whose home gateway is `homeURL`.
    private static func gateway(
        local: String, homeURL: String, state: RegionState, client: HTTPClient, readWait: Duration = .seconds(1)
    ) throws -> Router<AppRequestContext> {
        let contract = try OpenAPIContract(yaml: OrdersService.openAPIDocument)
        let routes = try GatewayRoutes(contracts: [("orders", contract)], pairs: ["orders=\(local)"])
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: RegionHeadersMiddleware(region: state, position: nil))
        router.add(middleware: ProblemMiddleware())
        try RegionalProxy(local: routes, client: client, region: state, readWait: readWait)
            .register(on: router)
        return router
    }

    @Test func readsStayInTheRegionAndWritesGoHome() async throws {
        let local = try await FakeUpstream(.answer)
        let home = try await FakeUpstream(.answer, headers: "sprocket-region: madrid\r\nsprocket-data-age: 0\r\n")
        let client = Self.client()
        // Stale only after an hour: a loaded machine may take seconds to get to the first read.
        let state = RegionState(name: "chicago", homeURL: "http://127.0.0.1:\(home.port)", staleAfter: 3600)
        let replayedAt = Date()
        state.replicaRead(replayed: WALPosition("0/100"), committedAt: replayedAt.timeIntervalSince1970 - 0.5)
        let router = try Self.gateway(
            local: "http://127.0.0.1:\(local.port)", homeURL: "http://127.0.0.1:\(home.port)", state: state,
            client: client)
        try await Application(router: router).test(.router) { client in
            let read = try await client.execute(uri: "/api/v1/orders", method: .get)
            #expect(read.status == .ok)
            #expect(read.headers[.sprocketRegion] == "chicago")
            let age = read.headers[.sprocketDataAge].flatMap(Double.init) ?? -1
            #expect(age >= 0.5 && age <= 0.5 + Date().timeIntervalSince(replayedAt) + 0.01)
            #expect(read.headers[.sprocketDataStale] == nil)
            #expect(local.requests == 1 && home.requests == 0)

            let write = try await client.execute(
                uri: "/api/v1/orders", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: "{}"))
            #expect(write.status == .ok)
            #expect(write.headers[.sprocketRegion] == "madrid")
            #expect(local.requests == 1 && home.requests == 1)

            // A token the replica has passed, and one that is not a log position, are read here.
            for token in ["0/FF", "not/a-position", "1/2/3"] {
                let response = try await client.execute(
                    uri: "/api/v1/orders", method: .get, headers: [.sprocketPosition: token])
                #expect(response.headers[.sprocketRegion] == "chicago")
            }
            #expect(local.requests == 4 && home.requests == 1)
        }
        await local.close()
        await home.close()
        try await client.shutdown()
    }

    @Test func aReadWaitsForItsWriteAndGoesHomeWhenTheReplicaIsLate() async throws {
        let local = try await FakeUpstream(.answer)
        let home = try await FakeUpstream(.answer, headers: "sprocket-region: madrid\r\n")
        let client = Self.client()
        let state = RegionState(name: "chicago", homeURL: "http://127.0.0.1:\(home.port)")
        state.replicaRead(replayed: WALPosition("0/100"), committedAt: Date().timeIntervalSince1970)
        func gateway(readWait: Duration) throws -> Router<AppRequestContext> {
            try Self.gateway(
                local: "http://127.0.0.1:\(local.port)", homeURL: "http://127.0.0.1:\(home.port)", state: state,
                client: client, readWait: readWait)
        }
        // The replica reaches the write 30 ms later: the read waits (long enough for a loaded machine) and
        // is served in the region.
        try await Application(router: gateway(readWait: .seconds(30))).test(.router) { client in
            let replay = Task {
                try await Task.sleep(for: .milliseconds(30))
                state.replicaRead(replayed: WALPosition("0/200"), committedAt: Date().timeIntervalSince1970)
            }
            let waited = try await client.execute(
                uri: "/api/v1/orders", method: .get, headers: [.sprocketPosition: "0/200"])
            try await replay.value
            #expect(waited.headers[.sprocketRegion] == "chicago")
            #expect(local.requests == 1 && home.requests == 0)
        }
        // The replica never gets there within the wait: home answers.
        try await Application(router: gateway(readWait: .milliseconds(100))).test(.router) { client in
            let late = try await client.execute(
                uri: "/api/v1/orders", method: .get, headers: [.sprocketPosition: "1/0"])
            #expect(late.status == .ok)
            #expect(late.headers[.sprocketRegion] == "madrid")
            #expect(local.requests == 1 && home.requests == 1)
        }
        await local.close()
        await home.close()
        try await client.shutdown()
    }

    @Test func aRegionCutOffFromHomeServesReadsMarkedStaleAndRefusesWrites() async throws {
        let local = try await FakeUpstream(.answer)
        let client = Self.client()
        let unreachable = "http://127.0.0.1:\(FreePorts.range())"  // nothing listens there
        let state = RegionState(name: "chicago", homeURL: unreachable)
        state.replicaRead(replayed: WALPosition("0/100"), committedAt: Date().timeIntervalSince1970 - 42)
        let router = try Self.gateway(
            local: "http://127.0.0.1:\(local.port)", homeURL: unreachable, state: state, client: client)
        try await Application(router: router).test(.router) { client in
            // Home still believed reachable: the forwarded write finds nobody, and is refused with 503.
            let forwarded = try await client.execute(
                uri: "/api/v1/orders", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: "{}"))
            #expect(forwarded.status == .serviceUnavailable)
            #expect(forwarded.headers[.retryAfter] == "5")
            #expect(String(buffer: forwarded.body).contains("region.home_unreachable"))

            state.homeProbed(reachable: false)
            let refused = try await client.execute(
                uri: "/api/v1/orders/x", method: .patch, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: "{}"))
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.headers[.retryAfter] == "5")

            // Reads go on from what the region has, marked stale with their age; so does a read whose
            // token the replica has not reached (home cannot answer it either).
            for token in [nil, "9/0"] {
                let read = try await client.execute(
                    uri: "/api/v1/orders", method: .get,
                    headers: token.map { [.sprocketPosition: $0] } ?? [:])
                #expect(read.status == .ok)
                #expect(read.headers[.sprocketDataStale] == "?1")
                #expect((read.headers[.sprocketDataAge].flatMap(Double.init) ?? 0) >= 42)
            }
            #expect(local.requests == 2)
        }
        await local.close()
        try await client.shutdown()
    }

    @Test func homeStampsWritesWithTheirLogPosition() async throws {
        let state = RegionState(name: "madrid", homeURL: nil)
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: RegionHeadersMiddleware(region: state, position: { WALPosition(0x1_0000_00AB) }))
        router.add(middleware: ProblemMiddleware())
        router.get("/api/v1/orders") { _, _ in "[]" }
        router.post("/api/v1/orders") { _, _ in "{}" }
        try await Application(router: router).test(.router) { client in
            let read = try await client.execute(uri: "/api/v1/orders", method: .get)
            #expect(read.headers[.sprocketRegion] == "madrid")
            #expect(read.headers[.sprocketDataAge] == "0")
            #expect(read.headers[.sprocketPosition] == nil)
            let write = try await client.execute(uri: "/api/v1/orders", method: .post)
            #expect(write.headers[.sprocketPosition] == "1/AB")
        }
    }
}
