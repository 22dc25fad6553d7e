import Foundation
import HummingbirdWSClient

/// A graphql-transport-ws client over a real WebSocket, for the tests: the messages it reads and sends,
/// as JSON objects.
public struct GraphQLSocket {
    public struct Unexpected: Error, CustomStringConvertible {
        public let description: String
    }

    var messages: WebSocketInboundMessageStream.AsyncIterator
    public let outbound: WebSocketOutboundWriter

    /// The next message; `["type": "closed"]` once the server closed the connection.
    public mutating func read() async throws -> [String: Any] {
        guard case .text(let text)? = try await messages.next() else { return ["type": "closed"] }
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw Unexpected(description: "not a JSON object: \(text)")
        }
        return object
    }

    public func send(_ message: [String: Any]) async throws {
        let data = try JSONSerialization.data(withJSONObject: message)
        try await outbound.write(.text(String(decoding: data, as: UTF8.self)))
    }

    /// `connection_init` with `token` (none: no credentials), then the `connection_ack`.
    public mutating func initialise(_ token: String?) async throws {
        try await send(["type": "connection_init", "payload": token.map { ["authorization": "Bearer \($0)"] } ?? [:]])
        let ack = try await read()
        guard ack["type"] as? String == "connection_ack" else { throw Unexpected(description: "\(ack)") }
    }

    /// Connects to `ws://127.0.0.1:port/graphql`, runs `body`, and answers how the server closed (if it
    /// did). Gives up after `timeout` rather than hang.
    @discardableResult
    public static func session(
        port: Int, timeout: Duration = .seconds(60),
        _ body: @escaping @Sendable (inout GraphQLSocket) async throws -> Void
    ) async throws -> WebSocketCloseFrame? {
        let configuration = WebSocketClientConfiguration(additionalHeaders: [
            .secWebSocketProtocol: "graphql-transport-ws"
        ])
        return try await withThrowingTaskGroup(of: WebSocketCloseFrame?.self) { group in
            group.addTask {
                try await WebSocketClient.connect(
                    url: "ws://127.0.0.1:\(port)/graphql", configuration: configuration, logger: TestDatabase.logger
                ) { inbound, outbound, _ in
                    var socket = GraphQLSocket(
                        messages: inbound.messages(maxSize: 1 << 20).makeAsyncIterator(), outbound: outbound)
                    try await body(&socket)
                }
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw Unexpected(description: "the WebSocket session took longer than \(timeout)")
            }
            let closed = try await group.next() ?? nil
            group.cancelAll()
            return closed
        }
    }
}
