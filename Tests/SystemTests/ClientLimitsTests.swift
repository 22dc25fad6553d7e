import Customers
import Composition
import Foundation
import GraphQLGateway
import Hummingbird
import HummingbirdTesting
import ServiceKit
import Storage
import Testing
import TestSupport

/// What no client may do to a process (issue 28): hold connections, trickle requests, send large bodies
/// before it is known, or spend the process's CPU through GraphQL. Through the real HTTP server.
@Suite("Client limits through the real server")
struct ClientLimitsTests {
    /// The embedded system with `limits`, its real HTTP server on a free port, for `body`.
    static func live(
        _ limits: RequestLimits = RequestLimits(), graphQL: QueryLimits = QueryLimits(),
        _ body: @escaping @Sendable (EmbeddedSystem, any TestClientProtocol, Int) async throws -> Void
    ) async throws {
        try await SystemHarness.with(
            .sqlite,
            configure: {
                $0.limits = limits
                $0.graphQLLimits = graphQL
            }
        ) { system, router in
            let application = Application(
                router: try system.router(), server: try system.httpServer(),
                configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            try await application.test(.live) { client in
                try await body(system, router, try #require(client.port))
            }
        }
    }

    /// Whether `condition` holds within ten seconds.
    static func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<500 where !condition() { try await Task.sleep(for: .milliseconds(20)) }
        return condition()
    }

    static var shortTimeouts: RequestLimits {
        var limits = RequestLimits()
        // Idle long beside the head's and the body's 1 s: a test on a machine this loaded (the whole suite,
        // fuzz, faults and abuse side by side) may take seconds between connecting and sending.
        limits.idleTimeout = .seconds(10)
        limits.headerTimeout = .seconds(1)
        limits.bodyTimeout = .seconds(1)
        return limits
    }

    @Test func aHeadTooLargeIs431AndTheConnectionCloses() async throws {
        try await Self.live { _, _, port in
            let connection = try await RawConnection.open(port: port)
            try await connection.send(
                "GET /health/live HTTP/1.1\r\nhost: x\r\nx-padding: \(String(repeating: "a", count: 100_000))\r\n\r\n")
            #expect(try await connection.closed(within: .seconds(10)))
            #expect(connection.status == 431, "\(connection.text.prefix(200))")
        }
    }

    @Test func aTrickledHeadIs408AndAnIdleConnectionIsClosed() async throws {
        try await Self.live(Self.shortTimeouts) { system, _, port in
            let trickle = try await RawConnection.open(port: port)
            let idle = try await RawConnection.open(port: port)
            // The idle timeout runs from when the server takes a connection: with every suite running at
            // once, the server may leave one in its listen queue for 20 s or more (seen in CI).
            for _ in 0..<1_200 where system.connections.openConnections < 2 {
                try await Task.sleep(for: .milliseconds(100))
            }
            try? await trickle.send("GET /health/live HTTP/1.1\r\n")
            for line in 0..<5 {
                try? await trickle.send("x-line-\(line): 1\r\n")
                try await Task.sleep(for: .milliseconds(400))
            }
            #expect(try await trickle.closed(within: .seconds(10)))
            #expect(trickle.status == 408, "\(trickle.text.prefix(200))")
            // Closed by its idle timeout (10 s); nothing else closes it. With every suite at once the close
            // came 30 s after the server took the connection (seen in CI), so the bound is generous.
            #expect(try await idle.closed(within: .seconds(90)))

            // A kept-alive connection is closed once it stays idle after its answer.
            let kept = try await RawConnection.open(port: port)
            try await kept.send("GET /health/live HTTP/1.1\r\nhost: x\r\n\r\n")
            #expect(try await kept.status(within: .seconds(10)) == 200)
            #expect(try await kept.closed(within: .seconds(90)))  // its idle timeout, 10 s (see above)
        }
    }

    @Test func aBodyThatDoesNotArriveInTimeClosesTheConnection() async throws {
        try await Self.live(Self.shortTimeouts) { _, _, port in
            let connection = try await RawConnection.open(port: port)
            try await connection.send(
                "POST /api/v1/customers HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"
            )
            #expect(try await connection.closed(within: .seconds(9)))
        }
    }

    @Test func connectionsPerAddressAreCappedAndTheProcessKeepsServingOthers() async throws {
        var limits = RequestLimits()
        limits.maxConnectionsPerAddress = 3
        try await Self.live(limits) { system, _, port in
            var held: [RawConnection] = []
            for _ in 0..<3 { held.append(try await RawConnection.open(port: port, from: "127.0.0.2")) }
            #expect(try await Self.eventually { system.connections.openConnections >= 3 })
            let refused = try await RawConnection.open(port: port, from: "127.0.0.2")
            #expect(try await refused.closed(within: .seconds(10)))
            #expect(refused.status == 429)
            // Another address, and the trusted loopback (a gateway), are not affected.
            let other = try await RawConnection.open(port: port, from: "127.0.0.3")
            try await other.send("GET /health/live HTTP/1.1\r\nhost: x\r\n\r\n")
            #expect(try await other.status(within: .seconds(10)) == 200)
            for connection in held { await connection.close() }
            var status: Int?
            for _ in 0..<25 where status != 200 {
                let again = try await RawConnection.open(port: port, from: "127.0.0.2")
                try? await again.send("GET /health/live HTTP/1.1\r\nhost: x\r\n\r\n")
                status = try await again.status(within: .seconds(1))
                await again.close()
            }
            #expect(status == 200)
            // The server counts a connection gone once it saw it close (a moment after the client did).
            #expect(try await Self.eventually { system.connections.openConnections <= 3 })
        }
    }

    @Test func anUploadWithABadTokenIsRefusedBeforeItsBodyIsSent() async throws {
        try await Self.live { _, _, port in
            let connection = try await RawConnection.open(port: port)
            try await connection.send(
                "POST /api/v1/imports?kind=parts HTTP/1.1\r\nhost: x\r\nauthorization: Bearer a.b.c\r\n"
                    + "content-type: text/csv\r\ncontent-length: 30000000\r\n\r\n")
            #expect(try await connection.status(within: .seconds(10)) == 401, "\(connection.text.prefix(300))")
            // An unknown path ending in /imports reads no large body either.
            let unknown = try await RawConnection.open(port: port)
            try await unknown.send(
                "POST /api/v1/anything/imports HTTP/1.1\r\nhost: x\r\ncontent-type: text/csv\r\ncontent-length: 30000000\r\n\r\n"
            )
            #expect(try await unknown.status(within: .seconds(10)) == 413, "\(unknown.text.prefix(300))")
        }
    }

    @Test func overLimitBodiesAre413WhetherChunkedOrNot() async throws {
        try await Self.live { _, _, port in
            let chunked = try await RawConnection.open(port: port)
            try await chunked.send(
                "POST /api/v1/customers HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n"
            )
            let chunk = String(repeating: "a", count: 65_536)
            for _ in 0..<20 { try? await chunked.send(String(chunk.utf8.count, radix: 16) + "\r\n" + chunk + "\r\n") }
            #expect(try await chunked.status(within: .seconds(10)) == 413, "\(chunked.text.prefix(300))")

            let graphQL = try await RawConnection.open(port: port)
            let query =
                #"{"query":"{ me { id } }","variables":{"pad":""# + String(repeating: "a", count: 200_000) + #""}}"#
            try await graphQL.send(
                "POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: \(query.utf8.count)\r\n\r\n"
                    + query)
            #expect(try await graphQL.status(within: .seconds(10)) == 413, "\(graphQL.text.prefix(300))")
        }
    }

    @Test func aSubscriptionHasOneRootFieldAndAnAccountHoldsABoundedNumber() async throws {
        var graphQL = QueryLimits()
        graphQL.maxSubscriptionsPerAccount = 3
        try await Self.live(graphQL: graphQL) { system, client, port in
            let world = try await OrdersAPITests.world(system, client)
            let placed = try await client.json(
                .post, "/api/v1/orders", OrdersAPITests.orderBody([["sku": "PAD", "quantity": 1]]), token: world.ann)
            let id = try #require(placed.object["id"] as? String)
            let subscribe: @Sendable (String) -> [String: Any] = { operation in
                [
                    "id": operation, "type": "subscribe",
                    "payload": ["query": GraphQLSubscriptionTests.orderUpdated, "variables": ["id": id]],
                ]
            }
            try await GraphQLSocket.session(port: port) { socket in
                try await socket.initialise(world.ann)
                try await socket.send([
                    "id": "two", "type": "subscribe",
                    "payload": [
                        "query": #"subscription { a: orderUpdated(id: "x") { id } b: orderUpdated(id: "y") { id } }"#
                    ],
                ])
                let twoRoots = try await socket.read()
                #expect(twoRoots["type"] as? String == "error")
                #expect("\(twoRoots)".contains("graphql.subscription_single_root"))
                for operation in ["1", "2", "3"] {
                    try await socket.send(subscribe(operation))
                    #expect(try await socket.read()["type"] as? String == "next")
                }
            }
            // The first connection is gone, and so are its subscriptions: a second holds three again,
            // and not a fourth, however many connections it opens.
            #expect(try await Self.eventually { system.graphQLClients.openSubscriptions == 0 })
            try await GraphQLSocket.session(port: port) { socket in
                try await socket.initialise(world.ann)
                for operation in ["4", "5", "6"] {
                    try await socket.send(subscribe(operation))
                    #expect(try await socket.read()["type"] as? String == "next")
                }
                try await GraphQLSocket.session(port: port) { second in
                    try await second.initialise(world.ann)
                    try await second.send(subscribe("7"))
                    let refused = try await second.read()
                    #expect(refused["type"] as? String == "error")
                    #expect("\(refused)".contains("graphql.too_many_subscriptions"))
                }
                try await socket.send(["id": "4", "type": "complete"])
                #expect(try await Self.eventually { system.graphQLClients.openSubscriptions == 2 })
                try await socket.send(subscribe("8"))
                #expect(try await socket.read()["type"] as? String == "next")
            }
        }
    }

    @Test func anIdleWebSocketIsClosed() async throws {
        try await Self.live(Self.shortTimeouts) { _, _, port in
            let closed = try await GraphQLSocket.session(port: port, timeout: .seconds(40)) { socket in
                try await socket.initialise(nil)
                #expect(try await socket.read()["type"] as? String == "closed")
            }
            #expect(closed?.closeCode == .goingAway)
        }
    }

    @Test func graphQLCountsCallsToTheServicesAndBudgetsEachClient() async throws {
        var graphQL = QueryLimits()
        graphQL.callsPerSecond = 1
        graphQL.callBurst = 100
        try await SystemHarness.with(.sqlite, configure: { $0.graphQLLimits = graphQL }) { _, client in
            let aliases = (0..<150).map { "a\($0): me { id }" }.joined(separator: " ")
            var answer = try await GraphQLAPITests.graphQL(client, "{ \(aliases) }")
            #expect(answer.status == .badRequest)
            #expect(answer.codes == ["graphql.too_many_calls"])
            let parts = (0..<60).map { #"p\#($0): part(sku: "P\#($0)") { sku }"# }.joined(separator: " ")
            answer = try await GraphQLAPITests.graphQL(client, "{ \(parts) }")
            #expect(answer.status == .ok)
            #expect(answer.calls == 60)
            // The client had 40 of its 100 calls left, and earns one a second: a second such query waits
            // (how long depends on how long the first took, on a machine this busy).
            let response = try await client.json(.post, "/graphql", ["query": "{ \(parts) }"])
            #expect(response.status == .tooManyRequests)
            #expect(
                (response.object["errors"] as? [[String: Any]])?.first.flatMap {
                    ($0["extensions"] as? [String: Any])?["code"] as? String
                } == "graphql.rate_limited")
            #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 >= 1)
        }
    }

    @Test func theOwnerLogsInWhileStrangersGuessTheirPasswordFromManyAddresses() async throws {
        try await SystemHarness.with(
            .sqlite, configure: { $0.settings.options[CustomersService.loginFailureDelay.name] = "10" }
        ) {
            system, _ in
            _ = try await system.customers.identity.register(
                email: "ann@example.com", name: "Ann", password: "correct-horse")
            let application = Application(
                router: try system.router(), server: try system.httpServer(),
                configuration: .init(address: .hostname("127.0.0.1", port: 0)))
            try await application.test(.live) { client in
                func login(_ password: String, from address: String) async throws -> HTTPResponse.Status {
                    try await client.json(
                        .post, "/api/v1/auth/token", ["email": "ann@example.com", "password": password],
                        headers: [.forwardedFor: address]
                    ).status
                }
                var refused = 0
                for guess in 0..<100 {
                    let status = try await login("guess-\(guess)", from: "203.0.113.\(guess % 46)")
                    #expect(status == .unauthorized || status == .tooManyRequests)
                    if status == .tooManyRequests { refused += 1 }
                }
                #expect(refused > 40)
                #expect(try await login("correct-horse", from: "198.51.100.7") == .ok)
                // An IPv6 attacker is one source per /64, however many addresses it uses.
                var ipv6Refused = 0
                for host in 0..<25 {
                    let status = try await login("guess", from: "2001:db8:1:2::\(String(host + 1, radix: 16))")
                    if status == .tooManyRequests { ipv6Refused += 1 }
                }
                #expect(ipv6Refused > 0)
            }
        }
    }

    @Test(arguments: Engine.allCases)
    func aTokenIsNeverStoredForReplayWhateverThePathsSpelling(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            _ = try await system.customers.identity.register(
                email: "ann@example.com", name: "Ann", password: "correct-horse")
            for path in ["/api/v1/auth/token", "/api/v1/auth/token/", "/api/v1//auth/token"] {
                for _ in 0..<2 {
                    let response = try await client.json(
                        .post, path, ["email": "ann@example.com", "password": "correct-horse"],
                        headers: [.idempotencyKey: "same-key"])
                    #expect(response.status == .ok, "\(path)")
                    #expect(response.headers[.idempotentReplayed] == nil, "\(path)")
                }
            }
            let stored = try await try system.database("customers").read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM idempotency_keys").first()?.decode(
                    column: "n", as: Int.self)
            }
            #expect(stored == 0)
        }
    }

    @Test func requestsInFlightAndUploadsAreBoundedAndTheRestAreToldToComeBack() async throws {
        var limits = RequestLimits()
        limits.maxInFlight = 2
        try await Self.live(limits) { system, client, port in
            let admin = try await SystemHarness.token(system, client, role: .admin)
            // An upload whose body is still coming holds the account's one upload slot.
            let upload = try await RawConnection.open(port: port)
            try await upload.send(
                "POST /api/v1/imports?kind=parts HTTP/1.1\r\nhost: x\r\nauthorization: Bearer \(admin)\r\n"
                    + "content-type: text/csv\r\ncontent-length: 5000000\r\n\r\nsku,name,price\r\n")
            #expect(try await Self.eventually { system.inFlight.current == 1 })
            let second = try await RawConnection.open(port: port)
            try await second.send(
                "POST /api/v1/imports?kind=parts HTTP/1.1\r\nhost: x\r\nauthorization: Bearer \(admin)\r\n"
                    + "content-type: text/csv\r\ncontent-length: 5000000\r\n\r\n")
            #expect(try await second.status(within: .seconds(10)) == 429, "\(second.text.prefix(300))")
            #expect(second.text.contains("upload.too_many"))
            // A slow JSON body takes the second of the two requests in flight; the next request is 503, but
            // health probes still pass.
            let slow = try await RawConnection.open(port: port)
            try await slow.send(
                "POST /api/v1/customers HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"
            )
            #expect(try await Self.eventually { system.inFlight.current == 2 })
            let refused = try await RawConnection.open(port: port)
            try await refused.send("GET /api/v1/parts HTTP/1.1\r\nhost: x\r\n\r\n")
            #expect(try await refused.status(within: .seconds(10)) == 503)
            #expect(refused.text.lowercased().contains("retry-after: 1"))
            let health = try await RawConnection.open(port: port)
            try await health.send("GET /health/live HTTP/1.1\r\nhost: x\r\n\r\n")
            #expect(try await health.status(within: .seconds(10)) == 200)
            for connection in [upload, slow] { await connection.close() }
            #expect(try await Self.eventually { system.inFlight.current == 0 })
        }
    }
}
