import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A plain TCP connection to a server under test, for what an HTTP client library will not do: trickle
/// a request's head, leave a body unsent, hold a socket idle, or connect from another loopback address.
public final class RawConnection: Sendable {
    private let channel: any Channel
    private let received: NIOLockedValueBox<[UInt8]>

    private init(channel: any Channel, received: NIOLockedValueBox<[UInt8]>) {
        self.channel = channel
        self.received = received
    }

    /// Connects to `127.0.0.1:port`, from `source` (another loopback address, e.g. `127.0.0.2`) if given.
    public static func open(port: Int, from source: String? = nil) async throws -> RawConnection {
        let received = NIOLockedValueBox<[UInt8]>([])
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(received: received))
                }
            }
        if let source { bootstrap = bootstrap.bind(to: try SocketAddress(ipAddress: source, port: 0)) }
        let channel = try await bootstrap.connect(host: "127.0.0.1", port: port).get()
        return RawConnection(channel: channel, received: received)
    }

    /// Sends `text` as it is.
    public func send(_ text: String) async throws {
        try await channel.writeAndFlush(ByteBuffer(string: text)).get()
    }

    /// Sends `count` bytes of `x`.
    public func send(bytes count: Int) async throws {
        try await channel.writeAndFlush(ByteBuffer(repeating: UInt8(ascii: "x"), count: count)).get()
    }

    /// What the server has sent so far, as text.
    public var text: String { String(decoding: received.withLockedValue { $0 }, as: UTF8.self) }

    /// The status code of the first response the server sent, if one arrived.
    public var status: Int? {
        let line = text.split(separator: "\r\n", maxSplits: 1).first ?? ""
        let parts = line.split(separator: " ")
        return parts.count >= 2 && parts[0].hasPrefix("HTTP/1.") ? Int(parts[1]) : nil
    }

    /// The status code of the first response, waiting up to `timeout` for it to arrive.
    public func status(within timeout: Duration) async throws -> Int? {
        let deadline = ContinuousClock.now + timeout
        while status == nil, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        return status
    }

    /// Whether the server closed the connection within `timeout`.
    public func closed(within timeout: Duration) async throws -> Bool {
        let loop = channel.eventLoop
        let promise = loop.makePromise(of: Bool.self)
        let settled = NIOLockedValueBox(false)
        func settle(_ value: Bool) {
            if settled.withLockedValue({ done in
                defer { done = true }; return !done
            }) {
                promise.succeed(value)
            }
        }
        let nanoseconds = timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        let timer = loop.scheduleTask(in: .nanoseconds(nanoseconds)) { settle(false) }
        channel.closeFuture.whenComplete { _ in
            timer.cancel()
            settle(true)
        }
        return try await promise.futureResult.get()
    }

    /// Closes the connection from this side.
    public func close() async {
        try? await channel.close()
    }
}

private final class Collector: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let received: NIOLockedValueBox<[UInt8]>

    init(received: NIOLockedValueBox<[UInt8]>) {
        self.received = received
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        received.withLockedValue { $0 += buffer.readableBytesView }
    }
}
