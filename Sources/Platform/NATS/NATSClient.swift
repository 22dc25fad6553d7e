import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// A NATS client on SwiftNIO: publish (with headers), subscribe, request/reply, PING/PONG, and
/// reconnect with back-off that restores every subscription.
///
/// The client is a `Service`: its ``run()`` owns the connection and reconnects until graceful
/// shutdown, so it must run in the process's service group (or a test's task group). Publishing and
/// requesting wait up to `connectWait` for a connection; messages published while disconnected fail
/// rather than being buffered, so callers (the outbox relay) retry them.
///
/// Every wait has a deadline: the handshake's PONG (a server or proxy that accepts TCP and then closes
/// or stalls is dropped and retried), requests and flushes. While connected the client PINGs every
/// `pingInterval` and closes the connection after two unanswered PINGs, so a half-open socket is found
/// in seconds, not at the kernel's retransmission timeout. Credentials come from the URL
/// (`nats://user:password@host` or `nats://token@host`).
public final class NATSClient: Service, Sendable {
    public let host: String
    public let port: Int
    let logger: Logger
    private let connectWait: Duration
    let pingInterval: Duration
    private let credentials: Credentials?
    /// Whether a connection is up (for readiness checks).
    public var isConnected: Bool { state.withLock { $0.channel != nil } }
    /// How many connections were made so far: a change means the server forgot pending pull requests.
    public var connectionCount: Int { state.withLock { $0.connections } }

    private let state = Mutex(State())
    private let inboxPrefix = "_INBOX.\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))"

    struct Subscription {
        let subject: String
        let queue: String?
        let continuation: AsyncStream<NATSMessage>.Continuation
    }

    private struct State {
        var channel: (any Channel)?
        var connectionWaiters: [UUID: CheckedContinuation<any Channel, any Error>] = [:]
        var pongWaiters: [(id: UUID, continuation: CheckedContinuation<Void, any Error>)] = []
        var subscriptions: [Int: Subscription] = [:]
        var nextSid = 1
        var requests: [String: CheckedContinuation<NATSMessage, any Error>] = [:]
        var inboxSid: Int?
        var stopped = false
        var connections = 0
    }

    /// A client for `nats://host:port`; nothing connects until ``run()``.
    public init(
        host: String, port: Int, logger: Logger, connectWait: Duration = .seconds(10),
        pingInterval: Duration = .seconds(20), credentials: Credentials? = nil
    ) {
        self.host = host
        self.port = port
        self.logger = logger
        self.connectWait = connectWait
        self.pingInterval = pingInterval
        self.credentials = credentials
    }

    /// Parses `nats://[user:password@|token@]host:port` (port 4222 when absent).
    public convenience init(url: String, logger: Logger) throws {
        guard let components = URLComponents(string: url), components.scheme == "nats", let host = components.host
        else {
            throw NATSError.protocolViolation("not a nats:// URL: \(url)")
        }
        var credentials: Credentials?
        if let user = components.user?.removingPercentEncoding {
            if let password = components.password?.removingPercentEncoding {
                credentials = .user(user, password: password)
            } else {
                credentials = .token(user)
            }
        }
        self.init(host: host, port: components.port ?? 4222, logger: logger, credentials: credentials)
    }

    // MARK: Connection loop

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var failures = 0
            while !Task.isCancelled {
                do {
                    let channel = try await self.connect()
                    failures = 0
                    try await withTaskCancellationHandler {
                        try await self.keepAlive(channel)
                    } onCancel: {
                        channel.close(promise: nil)
                    }
                } catch {
                    if !Task.isCancelled {
                        self.logger.warning(
                            "NATS connection failed",
                            metadata: ["error": "\(error)", "server": "\(self.host):\(self.port)"])
                    }
                }
                self.connectionLost()
                guard !Task.isCancelled else { break }
                failures += 1
                try? await Task.sleep(for: .milliseconds(min(2_000, 50 << min(failures, 6))))
            }
        }
        let waiters = state.withLock { state -> [CheckedContinuation<any Channel, any Error>] in
            state.stopped = true
            defer { state.connectionWaiters = [:] }
            return Array(state.connectionWaiters.values)
        }
        for waiter in waiters { waiter.resume(throwing: NATSError.notConnected) }
        for (_, subscription) in state.withLock({ $0.subscriptions }) { subscription.continuation.finish() }
    }

    private func connect() async throws -> any Channel {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(NATSFrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(NATSInboundHandler(client: self))
                }
            }
            .connect(host: host, port: port).get()
        do {
            try await handshake(on: channel)
        } catch {
            channel.close(promise: nil)
            throw error
        }
        let waiters = state.withLock { state -> [CheckedContinuation<any Channel, any Error>] in
            state.channel = channel
            state.connections += 1
            defer { state.connectionWaiters = [:] }
            return Array(state.connectionWaiters.values)
        }
        for waiter in waiters { waiter.resume(returning: channel) }
        logger.info("connected to NATS", metadata: ["server": "\(host):\(port)"])
        return channel
    }

    /// CONNECT, a PONG within 5 s, and the subscriptions restored; throws if the peer closes or stalls.
    private func handshake(on channel: any Channel) async throws {
        var options: [String: Any] = [
            "verbose": false, "pedantic": false, "headers": true, "no_responders": true, "lang": "swift",
            "version": "1.0", "protocol": 1, "name": "sprocket",
        ]
        switch credentials {
        case .user(let user, let password)?:
            options["user"] = user
            options["pass"] = password
        case .token(let token)?:
            options["auth_token"] = token
        case nil:
            break
        }
        let connect = try JSONSerialization.data(withJSONObject: options, options: [.sortedKeys])
        try await channel.writeAndFlush(ByteBuffer(string: "CONNECT \(String(decoding: connect, as: UTF8.self))\r\n"))
            .get()
        try await ping(on: channel, timeout: .seconds(5))
        // Restore subscriptions (and the request inbox) on the new connection before anyone uses it.
        let subscriptions = state.withLock { $0.subscriptions }
        var restore = ByteBuffer()
        for (sid, subscription) in subscriptions.sorted(by: { $0.key < $1.key }) {
            restore.writeString("SUB \(subscription.subject)\(subscription.queue.map { " \($0)" } ?? "") \(sid)\r\n")
        }
        if restore.readableBytes > 0 { try await channel.writeAndFlush(restore).get() }
    }

    private func connectionLost() {
        let (pongs, requests) = state.withLock { state in
            state.channel = nil
            defer {
                state.pongWaiters = []
                state.requests = [:]
            }
            return (state.pongWaiters.map(\.continuation), Array(state.requests.values))
        }
        for waiter in pongs { waiter.resume(throwing: NATSError.notConnected) }
        for request in requests { request.resume(throwing: NATSError.notConnected) }
    }

    /// The channel closed (called on its event loop): every PONG waiter fails now, so a handshake
    /// with a peer that hung up does not wait for its deadline.
    func channelClosed() {
        let pongs = state.withLock { state in
            defer { state.pongWaiters = [] }
            return state.pongWaiters.map(\.continuation)
        }
        for waiter in pongs { waiter.resume(throwing: NATSError.notConnected) }
    }

    /// The current connection, waiting up to `connectWait` for one.
    func connection() async throws -> any Channel {
        if let channel = state.withLock({ $0.channel }) { return channel }
        let id = UUID()
        return try await withTimeout(
            connectWait, "connecting to NATS at \(host):\(port)",
            onTimeout: { [self] in
                state.withLock { $0.connectionWaiters.removeValue(forKey: id) }?.resume(
                    throwing: NATSError.notConnected)
            }
        ) { [self] in
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<any Channel, any Error>) in
                let ready = state.withLock { state -> (any Channel)?? in
                    if state.stopped { return .some(nil) }
                    if let channel = state.channel { return .some(channel) }
                    state.connectionWaiters[id] = continuation
                    return .none
                }
                switch ready {
                case .some(let channel?): continuation.resume(returning: channel)
                case .some(nil): continuation.resume(throwing: NATSError.notConnected)
                case .none: break
                }
            }
        }
    }

    func ping(on channel: any Channel, timeout: Duration) async throws {
        let id = UUID()
        try await withTimeout(
            timeout, "PONG from NATS",
            onTimeout: { [self] in
                let waiter = state.withLock { state in
                    state.pongWaiters.firstIndex { $0.id == id }.map { state.pongWaiters.remove(at: $0).continuation }
                }
                waiter?.resume(throwing: NATSError.timeout("PONG from NATS"))
            }
        ) { [self] in
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                state.withLock { $0.pongWaiters.append((id, continuation)) }
                // Registered first, then checked: a channel that closed before (or while) the waiter was
                // added, or a PING that cannot be written, fails the wait now, not at its deadline.
                let fail: @Sendable () -> Void = { [self] in
                    let waiter = state.withLock { state in
                        state.pongWaiters.firstIndex { $0.id == id }.map {
                            state.pongWaiters.remove(at: $0).continuation
                        }
                    }
                    waiter?.resume(throwing: NATSError.notConnected)
                }
                guard channel.isActive else { return fail() }
                channel.writeAndFlush(ByteBuffer(string: "PING\r\n")).whenFailure { _ in fail() }
            }
        }
    }

    /// Round-trips a PING: every earlier command has been processed by the server when it returns.
    public func flush() async throws {
        try await ping(on: try await connection(), timeout: .seconds(5))
    }

    // MARK: Inbound frames (called on the event loop by NATSInboundHandler)

    func received(_ frame: NATSFrame, on channel: any Channel) {
        switch frame {
        case .ping:
            channel.writeAndFlush(ByteBuffer(string: "PONG\r\n"), promise: nil)
        case .pong:
            let waiter = state.withLock { $0.pongWaiters.isEmpty ? nil : $0.pongWaiters.removeFirst() }
            waiter?.continuation.resume()
        case .message(let sid, let message):
            deliver(message, sid: sid)
        case .error(let text):
            logger.warning("NATS server error", metadata: ["error": "\(text)"])
        case .info, .ok:
            break
        }
    }

    private func deliver(_ message: NATSMessage, sid: Int) {
        let (subscription, request) = state.withLock {
            state -> (Subscription?, CheckedContinuation<NATSMessage, any Error>?) in
            if sid == state.inboxSid {
                return (nil, state.requests.removeValue(forKey: message.subject))
            }
            return (state.subscriptions[sid], nil)
        }
        if let request {
            if message.status == 503 {
                request.resume(throwing: NATSError.noResponders(message.subject))
            } else {
                request.resume(returning: message)
            }
        }
        subscription?.continuation.yield(message)
    }

    // MARK: Operations

    /// Publishes `payload` to `subject`, with headers when given.
    public func publish(_ payload: [UInt8], to subject: String, replyTo: String? = nil, headers: [String: String] = [:])
        async throws
    {
        var buffer = ByteBuffer()
        let reply = replyTo.map { " \($0)" } ?? ""
        if headers.isEmpty {
            buffer.writeString("PUB \(subject)\(reply) \(payload.count)\r\n")
            buffer.writeBytes(payload)
        } else {
            var block = "NATS/1.0\r\n"
            for (name, value) in headers.sorted(by: { $0.key < $1.key }) { block += "\(name): \(value)\r\n" }
            block += "\r\n"
            let headerLength = block.utf8.count
            buffer.writeString("HPUB \(subject)\(reply) \(headerLength) \(headerLength + payload.count)\r\n")
            buffer.writeString(block)
            buffer.writeBytes(payload)
        }
        buffer.writeString("\r\n")
        try await connection().writeAndFlush(buffer).get()
    }

    /// Subscribes to `subject` (optionally in a queue group); messages arrive on the returned stream
    /// until ``unsubscribe(_:)`` or shutdown. Survives reconnects.
    public func subscribe(to subject: String, queue: String? = nil) async throws -> (
        sid: Int, messages: AsyncStream<NATSMessage>
    ) {
        let (stream, continuation) = AsyncStream<NATSMessage>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        let sid = state.withLock { state -> Int in
            let sid = state.nextSid
            state.nextSid += 1
            state.subscriptions[sid] = Subscription(subject: subject, queue: queue, continuation: continuation)
            return sid
        }
        do {
            try await connection().writeAndFlush(
                ByteBuffer(string: "SUB \(subject)\(queue.map { " \($0)" } ?? "") \(sid)\r\n")
            ).get()
        } catch {
            // Never leave a subscription behind that the caller does not know about.
            state.withLock { $0.subscriptions.removeValue(forKey: sid) }?.continuation.finish()
            throw error
        }
        return (sid, stream)
    }

    /// Ends the subscription `sid`.
    public func unsubscribe(_ sid: Int) async {
        let subscription = state.withLock { $0.subscriptions.removeValue(forKey: sid) }
        subscription?.continuation.finish()
        if let channel = state.withLock({ $0.channel }) {
            try? await channel.writeAndFlush(ByteBuffer(string: "UNSUB \(sid)\r\n")).get()
        }
    }

    /// Publishes a request and waits for the first reply (or throws on timeout or no responders).
    public func request(
        _ payload: [UInt8], to subject: String, headers: [String: String] = [:], timeout: Duration = .seconds(5)
    ) async throws -> NATSMessage {
        try await ensureInbox()
        let token = "\(inboxPrefix).\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))"
        return try await withTimeout(
            timeout, "reply on \(subject)",
            onTimeout: { [self] in
                state.withLock { $0.requests.removeValue(forKey: token) }?.resume(
                    throwing: NATSError.timeout("reply on \(subject)"))
            }
        ) { [self] in
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<NATSMessage, any Error>) in
                state.withLock { $0.requests[token] = continuation }
                Task { [self] in
                    do {
                        try await publish(payload, to: subject, replyTo: token, headers: headers)
                    } catch {
                        state.withLock { $0.requests.removeValue(forKey: token) }?.resume(throwing: error)
                    }
                }
            }
        }
    }

    /// A fresh inbox subject for replies (e.g. a JetStream pull), outside the request inbox's wildcard so
    /// its messages are delivered once.
    public func newInbox() -> String { "_INBOX.\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))" }

    private func ensureInbox() async throws {
        let missing = state.withLock { state -> Int? in
            guard state.inboxSid == nil else { return nil }
            let sid = state.nextSid
            state.nextSid += 1
            state.inboxSid = sid
            let (_, continuation) = AsyncStream<NATSMessage>.makeStream()
            state.subscriptions[sid] = Subscription(subject: "\(inboxPrefix).*", queue: nil, continuation: continuation)
            return sid
        }
        if let sid = missing {
            try await connection().writeAndFlush(ByteBuffer(string: "SUB \(inboxPrefix).* \(sid)\r\n")).get()
        }
    }
}
