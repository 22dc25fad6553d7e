import Composition
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceKit
import Storage
import Testing
import TestSupport

@Suite("GraphQL subscriptions over WebSocket (graphql-transport-ws) on the embedded system, both engines")
struct GraphQLSubscriptionTests {
    /// The embedded system's HTTP server (with its WebSocket upgrade) on a free port, for `body`.
    static func live(_ system: EmbeddedSystem, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
        let application = Application(
            router: try system.router(), server: try system.httpServer(),
            configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await application.test(.live) { client in try await body(try #require(client.port)) }
    }

    static let orderUpdated = "subscription($id: String!) { orderUpdated(id: $id) { id status } }"

    static func status(_ message: [String: Any]) -> String? {
        (((message["payload"] as? [String: Any])?["data"] as? [String: Any])?["orderUpdated"] as? [String: Any])?[
            "status"] as? String
    }

    @Test(arguments: Engine.allCases)
    func anOrdersOwnerIsToldOfEachStatusChangeAndNobodyElseMaySubscribe(engine: Engine) async throws {
        try await SystemHarness.with(engine) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            let placed = try await client.json(
                .post, "/api/v1/orders", OrdersAPITests.orderBody([["sku": "PAD", "quantity": 1]]), token: world.ann)
            let id = try #require(placed.object["id"] as? String)
            try await Self.live(system) { port in
                try await GraphQLSocket.session(port: port) { socket in
                    try await socket.initialise(world.ann)
                    try await socket.send(["type": "ping"])
                    #expect(try await socket.read()["type"] as? String == "pong")
                    try await socket.send([
                        "id": "1", "type": "subscribe",
                        "payload": ["query": Self.orderUpdated, "variables": ["id": id]],
                    ])
                    let first = try await socket.read()
                    #expect(first["type"] as? String == "next" && first["id"] as? String == "1", "\(first)")
                    #expect(Self.status(first) == "pending_confirmation")

                    // Inventory reserves the stock, orders confirms and sends it to the warehouse.
                    try await system.publishPendingEvents()
                    var seen: [String] = []
                    while seen.last != "sent_to_warehouse" {
                        let message = try await socket.read()
                        #expect(message["type"] as? String == "next", "\(message)")
                        seen.append(try #require(Self.status(message), "\(message)"))
                    }
                    #expect(Set(seen).isSubset(of: ["confirmed", "sent_to_warehouse"]))

                    let cancelled = try await client.json(
                        .post, "/api/v1/orders/\(id)/cancel", ["reason": "changed my mind"], token: world.ann)
                    #expect(cancelled.status == .ok)
                    try await system.publishPendingEvents()
                    #expect(Self.status(try await socket.read()) == "cancelled")

                    try await socket.send(["id": "1", "type": "complete"])
                    for _ in 0..<100 where system.orderChanges.listenerCount > 0 {
                        try await Task.sleep(for: .milliseconds(20))
                    }
                    #expect(system.orderChanges.listenerCount == 0, "a completed subscription stops listening")
                    try await socket.outbound.close(.normalClosure, reason: nil)
                }

                // Someone else's order is not found, as over REST; without a token, nobody's order is.
                for token in [world.bob, nil] {
                    try await GraphQLSocket.session(port: port) { socket in
                        try await socket.initialise(token)
                        try await socket.send([
                            "id": "a", "type": "subscribe",
                            "payload": ["query": Self.orderUpdated, "variables": ["id": id]],
                        ])
                        let refused = try await socket.read()
                        #expect(refused["type"] as? String == "error" && refused["id"] as? String == "a", "\(refused)")
                        let errors = refused["payload"] as? [[String: Any]] ?? []
                        let codes = errors.compactMap { ($0["extensions"] as? [String: Any])?["code"] as? String }
                        #expect(codes == [token == nil ? "auth.unauthenticated" : "order.not_found"], "\(refused)")
                        try await socket.outbound.close(.normalClosure, reason: nil)
                    }
                }
            }
        }
    }

    @Test func theProtocolsRulesAreKept() async throws {
        try await SystemHarness.with(.sqlite) { system, client in
            let world = try await OrdersAPITests.world(system, client)
            let overHTTP = try await GraphQLAPITests.graphQL(client, Self.orderUpdated, ["id": "x"], token: world.ann)
            #expect(overHTTP.status == .badRequest)
            #expect(overHTTP.codes == ["graphql.subscription_needs_websocket"])

            try await Self.live(system) { port in
                let early = try await GraphQLSocket.session(port: port) { socket in
                    try await socket.send(["id": "1", "type": "subscribe", "payload": ["query": "{ me { email } }"]])
                    #expect(try await socket.read()["type"] as? String == "closed")
                }
                #expect(early?.closeCode == .unknown(4401), "subscribe before connection_init")

                let twice = try await GraphQLSocket.session(port: port) { socket in
                    try await socket.initialise(world.ann)
                    try await socket.send(["type": "connection_init"])
                    #expect(try await socket.read()["type"] as? String == "closed")
                }
                #expect(twice?.closeCode == .unknown(4429))

                let garbage = try await GraphQLSocket.session(port: port) { socket in
                    try await socket.outbound.write(.text("not json"))
                    #expect(try await socket.read()["type"] as? String == "closed")
                }
                #expect(garbage?.closeCode == .unknown(4400))

                // A connection runs at most 32 operations at once: the 33rd is refused, the others go on.
                let placed = try await client.json(
                    .post, "/api/v1/orders", OrdersAPITests.orderBody([["sku": "PAD", "quantity": 1]]),
                    token: world.ann)
                let order = try #require(placed.object["id"] as? String)
                try await GraphQLSocket.session(port: port) { socket in
                    try await socket.initialise(world.ann)
                    for number in 1...33 {
                        try await socket.send([
                            "id": "\(number)", "type": "subscribe",
                            "payload": ["query": Self.orderUpdated, "variables": ["id": order]],
                        ])
                    }
                    var refused: [String] = []
                    var updates = 0
                    for _ in 1...33 {
                        let message = try await socket.read()
                        if message["type"] as? String == "error" {
                            let codes = (message["payload"] as? [[String: Any]] ?? []).compactMap {
                                ($0["extensions"] as? [String: Any])?["code"] as? String
                            }
                            #expect(codes == ["graphql.too_many_operations"])
                            refused.append(message["id"] as? String ?? "")
                        } else if message["type"] as? String == "next" {
                            updates += 1
                        }
                    }
                    #expect(refused == ["33"])
                    #expect(updates == 32)
                    try await socket.outbound.close(.normalClosure, reason: nil)
                }

                try await GraphQLSocket.session(port: port) { socket in
                    try await socket.initialise(world.ann)
                    try await socket.send(["id": "q", "type": "subscribe", "payload": ["query": "{ me { name } }"]])
                    let answer = try await socket.read()
                    #expect(answer["type"] as? String == "next", "a query over the socket: one answer")
                    let me = ((answer["payload"] as? [String: Any])?["data"] as? [String: Any])?["me"] as? [String: Any]
                    #expect(me?["name"] as? String == "customer")
                    #expect(try await socket.read()["type"] as? String == "complete")
                    try await socket.outbound.close(.normalClosure, reason: nil)
                }
            }
        }
    }
}
