import Foundation
import GraphQL
import HTTPTypes
import HummingbirdCore
import HummingbirdWebSocket
import ServiceKit
import Logging
import NIOCore
import Synchronization

/// GraphQL over WebSocket at `/graphql`, with the graphql-transport-ws protocol (the one the `graphql-ws`
/// client library speaks): `connection_init` (its payload may carry `authorization: "Bearer …"`),
/// `connection_ack`, `ping`/`pong`, `subscribe` → `next`… `complete` or `error`, and `complete` from the
/// client to stop. A subscription runs its document once at once and again after each change the
/// ``OrderChangeFeed`` reports for the orders it resolved, sending a `next` whenever the answer differs.
/// Queries and mutations work too (one `next`, then `complete`).
public struct GraphQLWebSocket: Sendable {
    public static let subprotocol = "graphql-transport-ws"
    /// The most operations one connection runs at once (each subscription holds a listener).
    public static let maxOperations = 32
    let endpoint: GraphQLEndpoint
    let feed: OrderChangeFeed?
    /// How long a connection may stay without `connection_init` (4408 after).
    let initTimeout: Duration
    /// How long a connection may stay with no operation running and no message from the client (closed
    /// with 1001 after).
    let idleTimeout: Duration

    public init(
        endpoint: GraphQLEndpoint, feed: OrderChangeFeed?, initTimeout: Duration = .seconds(10),
        idleTimeout: Duration = .seconds(30)
    ) {
        self.endpoint = endpoint
        self.feed = feed
        self.initTimeout = initTimeout
        self.idleTimeout = idleTimeout
    }

    /// An HTTP/1 server with this WebSocket endpoint, behind `connections`' limits (which count a
    /// WebSocket like any connection; the WebSocket then has its own idle timeout and pings).
    public func server(behind connections: ConnectionLedger) -> HTTPServerBuilder {
        let configuration = HTTP1WebSocketUpgradeChannel.Configuration(
            http1: connections.http1Configuration,
            ws: .init(maxFrameSize: endpoint.limits.maxBodyBytes, autoPing: .enabled(timePeriod: .seconds(30))))
        return HTTPServerBuilder { responder in
            GuardedChildChannel(
                HTTP1WebSocketUpgradeChannel(responder: responder, configuration: configuration) {
                    request, channel, _ in shouldUpgrade(request, channel: channel)
                },
                ledger: connections)
        }
    }

    /// Upgrades `GET /graphql` asking for graphql-transport-ws; anything else stays HTTP.
    public func shouldUpgrade(_ request: HTTPRequest, channel: any Channel)
        -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>>
    {
        let path = request.path.map { $0.split(separator: "?", maxSplits: 1).first.map(String.init) ?? $0 }
        let protocols = request.headerFields[values: .secWebSocketProtocol]
            .flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        guard path == "/graphql", protocols.contains(Self.subprotocol) else { return .dontUpgrade }
        var forwarded = HTTPFields()
        for name in [HTTPField.Name.authorization, HTTPField.Name.forwardedFor] {
            if let value = request.headerFields[name] { forwarded[name] = value }
        }
        let session = GraphQLSession(
            socket: self, remoteAddress: channel.remoteAddress, headers: forwarded)
        return .upgrade([.secWebSocketProtocol: Self.subprotocol]) { inbound, outbound, context in
            await session.run(inbound, outbound, logger: context.logger)
        }
    }
}

/// One WebSocket connection's graphql-transport-ws state.
final class GraphQLSession: Sendable {
    private struct State {
        var initialised = false
        var headers: HTTPFields
        var operations: [String: Task<Void, Never>] = [:]
        /// When the client last sent a message.
        var lastMessage = ContinuousClock.now
    }

    private let socket: GraphQLWebSocket
    private let remoteAddress: SocketAddress?
    /// The client's address (`X-Forwarded-For` from a trusted proxy is not known here: the peer's).
    private let clientAddress: String?
    private let state: Mutex<State>

    init(socket: GraphQLWebSocket, remoteAddress: SocketAddress?, headers: HTTPFields) {
        self.socket = socket
        self.remoteAddress = remoteAddress
        self.clientAddress = remoteAddress?.ipAddress
        self.state = Mutex(State(headers: headers))
    }

    func run(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, logger: Logger) async {
        let timer = Task { [self] in
            try? await Task.sleep(for: socket.initTimeout)
            if !Task.isCancelled, !state.withLock({ $0.initialised }) {
                try? await outbound.close(.unknown(4408), reason: "Connection initialisation timeout")
            }
        }
        let idle = Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: socket.idleTimeout / 4)
                let idleSince = state.withLock { $0.operations.isEmpty ? $0.lastMessage : nil }
                if let idleSince, ContinuousClock.now - idleSince >= socket.idleTimeout, !Task.isCancelled {
                    try? await outbound.close(.goingAway, reason: "Idle for too long")
                    return
                }
            }
        }
        defer {
            timer.cancel()
            idle.cancel()
            for operation in state.withLock({ $0.operations.values }) { operation.cancel() }
        }
        do {
            for try await message in inbound.messages(maxSize: socket.endpoint.limits.maxBodyBytes) {
                state.withLock { $0.lastMessage = .now }
                guard let close = await handle(message, outbound) else { continue }
                try? await outbound.close(.unknown(close.code), reason: close.reason)
                return
            }
        } catch {
            logger.debug("GraphQL WebSocket ended", metadata: ["error": "\(error)"])
        }
    }

    /// Handles one client message; returns the close code and reason when the connection must end.
    private func handle(_ message: WebSocketMessage, _ outbound: WebSocketOutboundWriter) async -> (
        code: UInt16, reason: String
    )? {
        guard case .text(let text) = message,
            let incoming = try? JSONDecoder().decode(IncomingMessage.self, from: Data(text.utf8))
        else { return (4400, "Invalid message") }
        switch incoming.type {
        case "connection_init":
            let already = state.withLock { state -> Bool in
                if state.initialised { return true }
                state.initialised = true
                if let authorization = incoming.authorization { state.headers[.authorization] = authorization }
                return false
            }
            if already { return (4429, "Too many initialisation requests") }
            await send(#"{"type":"connection_ack"}"#, outbound)
        case "ping":
            await send(#"{"type":"pong"}"#, outbound)
        case "pong":
            break
        case "subscribe":
            guard state.withLock({ $0.initialised }) else { return (4401, "Unauthorized") }
            guard let id = incoming.id, let request = incoming.payload else { return (4400, "Invalid message") }
            enum Start { case started, duplicate, tooMany }
            let start = state.withLock { current -> Start in
                guard current.operations[id] == nil else { return .duplicate }
                guard current.operations.count < GraphQLWebSocket.maxOperations else { return .tooMany }
                current.operations[id] = Task { [self] in
                    await operate(id, request, outbound)
                    state.withLock {
                        $0.operations.removeValue(forKey: id)
                        $0.lastMessage = .now
                    }
                }
                return .started
            }
            switch start {
            case .started: break
            case .duplicate: return (4409, "Subscriber for \(id) already exists")
            case .tooMany:
                let error = GraphQLEndpoint.error(
                    "graphql.too_many_operations",
                    "A connection runs at most \(GraphQLWebSocket.maxOperations) operations at once; complete one first."
                )
                await send(Self.message(id: id, type: "error", payload: [error]), outbound)
            }
        case "complete":
            if let id = incoming.id { state.withLock { $0.operations.removeValue(forKey: id) }?.cancel() }
        default:
            return (4400, "Invalid message")
        }
        return nil
    }

    /// Runs operation `id`: a query or mutation once; a subscription once, then again after each
    /// change of an order it read, until the client completes it or an answer fails.
    private func operate(_ id: String, _ request: GraphQLRequestBody, _ outbound: WebSocketOutboundWriter) async {
        let account = state.withLock { state in
            GraphQLClients.account(authorization: state.headers[.authorization], address: clientAddress)
        }
        let clients = socket.endpoint.clients
        guard clients.openSubscription(for: account) else {
            let error = GraphQLEndpoint.error(
                "graphql.too_many_subscriptions",
                "An account runs at most \(clients.limits.maxSubscriptionsPerAccount) operations at once over WebSockets; complete one first."
            )
            await send(Self.message(id: id, type: "error", payload: [error]), outbound)
            return
        }
        defer { clients.closeSubscription(for: account) }
        // Listen before the first read, so no change between the two is missed.
        let changes = socket.feed?.changes()
        let (first, _, operation, watched) = await execute(request)
        guard first.data != nil || first.errors.isEmpty else {
            await send(Self.message(id: id, type: "error", payload: first.errors), outbound)
            return
        }
        await send(Self.message(id: id, type: "next", payload: first), outbound)
        guard operation == .subscription, first.errors.isEmpty, let changes else {
            if !Task.isCancelled { await send(Self.message(id: id, type: "complete"), outbound) }
            return
        }
        var last = Self.encoded(first)
        for await order in changes where watched.contains(order) {
            let (result, _, _, _) = await execute(request, admission: .rerun)
            guard !Task.isCancelled else { return }
            let encoded = Self.encoded(result)
            if encoded != last {
                await send(Self.message(id: id, type: "next", payload: result), outbound)
                last = encoded
            }
            if !result.errors.isEmpty {
                // The order can no longer be read (a credential expired, the order went away): the end.
                await send(Self.message(id: id, type: "complete"), outbound)
                return
            }
        }
    }

    private func execute(_ request: GraphQLRequestBody, admission: GraphQLEndpoint.Admission = .webSocket) async -> (
        GraphQLResult, HTTPResponse.Status, OperationType?, Set<String>
    ) {
        let headers = state.withLock { $0.headers }
        let resolution = Resolution(
            upstreams: ServiceClients(socket.endpoint.upstreams, remoteAddress: remoteAddress, headers: headers),
            limits: socket.endpoint.limits, currency: socket.endpoint.currency)
        let execution = await socket.endpoint.execute(
            request, over: .webSocket, resolution: resolution, client: GraphQLClients.client(address: clientAddress),
            admission: admission)
        return (execution.result, execution.status, execution.operation, resolution.watchedOrders)
    }

    private func send(_ text: String, _ outbound: WebSocketOutboundWriter) async {
        try? await outbound.write(.text(text))
    }

    private static func encoded(_ result: GraphQLResult) -> Data {
        (try? GraphQLJSONEncoder().encode(result)) ?? Data()
    }

    /// A server message: `{"id":…,"type":…,"payload":…}`.
    static func message(id: String, type: String, payload: (any Encodable)? = nil) -> String {
        let encoder = GraphQLJSONEncoder()
        let idJSON = (try? JSONEncoder().encode(id)).map { String(decoding: $0, as: UTF8.self) } ?? "\"\""
        var text = #"{"id":\#(idJSON),"type":"\#(type)""#
        if let payload, let json = try? encoder.encode(payload) {
            text += #","payload":"# + String(decoding: json, as: UTF8.self)
        }
        return text + "}"
    }
}

/// A client message of graphql-transport-ws.
private struct IncomingMessage: Decodable {
    var type: String
    var id: String?
    /// `subscribe`'s payload.
    var payload: GraphQLRequestBody?
    /// `connection_init`'s credentials: `authorization` ("Bearer …", any case of the key) or `token`.
    var authorization: String?

    enum CodingKeys: String, CodingKey { case type, id, payload }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        id = try container.decodeIfPresent(String.self, forKey: .id)
        if type == "subscribe" {
            payload = try container.decode(GraphQLRequestBody.self, forKey: .payload)
        } else if type == "connection_init" {
            let fields = (try? container.decodeIfPresent([String: Map].self, forKey: .payload)) ?? nil
            for (key, value) in fields ?? [:] {
                guard case .string(let text) = value else { continue }
                if key.lowercased() == "authorization" { authorization = text }
                if key == "token", authorization == nil { authorization = "Bearer \(text)" }
            }
        }
    }
}
