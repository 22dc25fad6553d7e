import NIOCore

/// The first handler of every connection, on the raw bytes: admits the connection (``ConnectionLedger``),
/// closes it when idle, answers 408 when a request's head is slow and 431 when it is too large, and
/// closes it when a body is slow. ``RequestPhaseHandler``, behind the HTTP decoder, tells it where a
/// request's body ends and its response is done. Once a connection is upgraded (WebSocket), it only
/// passes bytes on: the WebSocket session has its own limits.
final class ConnectionGuardHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private enum Phase {
        /// Waiting for a request's head; `bytes` of it have arrived.
        case awaitingHead(bytes: Int)
        /// The head arrived: the body, the response, or (after an upgrade) WebSocket frames.
        case inRequest
        case closed
    }

    private let ledger: ConnectionLedger
    private var limits: RequestLimits { ledger.limits }
    private var phase = Phase.awaitingHead(bytes: 0)
    private var admitted = false
    private var key: String?
    private var responsePending = false
    private var timer: Scheduled<Void>?
    /// The last four bytes seen while waiting for a head (its end, CR LF CR LF, may span two reads).
    private var recent: UInt32 = 0
    private var context: ChannelHandlerContext?

    init(ledger: ConnectionLedger) {
        self.ledger = ledger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { activate(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        finish()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        activate(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .awaitingHead(let seen) = phase else {
            if case .inRequest = phase { context.fireChannelRead(data) }
            return
        }
        let buffer = unwrapInboundIn(data)
        if seen == 0, !responsePending { schedule(limits.headerTimeout, .headerTimeout) }
        if let end = headEnd(in: buffer) {
            phase = .inRequest
            recent = 0
            cancelTimer()
            if seen + end > limits.maxHeaderBytes { return refuse(.headerTooLarge) }
        } else {
            let total = seen + buffer.readableBytes
            if total > limits.maxHeaderBytes { return refuse(.headerTooLarge) }
            phase = .awaitingHead(bytes: total)
        }
        context.fireChannelRead(data)
    }

    // MARK: From RequestPhaseHandler

    /// A request's head was decoded; `hasBody` when a body follows.
    func requestStarted(hasBody: Bool) {
        phase = .inRequest
        recent = 0
        cancelTimer()
        if hasBody { schedule(limits.bodyTimeout, .bodyTimeout) }
    }

    /// The request's body (if any) has arrived; its response is still to come.
    func requestEnded() {
        cancelTimer()
        responsePending = true
        phase = .awaitingHead(bytes: 0)
    }

    /// The response is sent: the connection is idle until the next request.
    func responseEnded() {
        responsePending = false
        guard case .awaitingHead(let seen) = phase else { return }
        if seen == 0 { schedule(limits.idleTimeout, .idle) } else { schedule(limits.headerTimeout, .headerTimeout) }
    }

    // MARK: Internals

    private enum Ending {
        case idle, headerTimeout, bodyTimeout, headerTooLarge, processFull, addressFull

        /// The raw HTTP/1.1 answer sent before closing, if any.
        var answer: String? {
            switch self {
            case .idle, .bodyTimeout: nil
            case .headerTimeout:
                Self.problem(
                    408, "Request Timeout", "request.timeout", "The request's head did not arrive in time.",
                    retryAfter: nil)
            case .headerTooLarge:
                Self.problem(
                    431, "Request Header Fields Too Large", "request.headers_too_large",
                    "The request line and headers are too large.", retryAfter: nil)
            case .processFull:
                Self.problem(
                    503, "Service Unavailable", "server.busy",
                    "The server holds as many connections as it takes; retry shortly.", retryAfter: 5)
            case .addressFull:
                Self.problem(
                    429, "Too Many Requests", "connections.too_many",
                    "Too many connections from your address; close some first.", retryAfter: 5)
            }
        }

        private static func problem(_ status: Int, _ reason: String, _ code: String, _ detail: String, retryAfter: Int?)
            -> String
        {
            let body =
                #"{"code":"\#(code)","detail":"\#(detail)","status":\#(status),"title":"\#(reason)","type":"about:blank"}"#
            let retry = retryAfter.map { "retry-after: \($0)\r\n" } ?? ""
            return
                "HTTP/1.1 \(status) \(reason)\r\ncontent-type: application/problem+json\r\n\(retry)connection: close\r\ncontent-length: \(body.utf8.count)\r\n\r\n\(body)"
        }
    }

    private func activate(_ context: ChannelHandlerContext) {
        guard !admitted, case .awaitingHead = phase else { return }
        switch ledger.admit(peer: context.channel.remoteAddress?.ipAddress) {
        case .admitted(let key):
            admitted = true
            self.key = key
            schedule(limits.idleTimeout, .idle)
        case .processFull: refuse(.processFull)
        case .addressFull: refuse(.addressFull)
        }
    }

    private func refuse(_ ending: Ending) {
        guard let context else { return }
        cancelTimer()
        phase = .closed
        if let answer = ending.answer {
            var buffer = context.channel.allocator.buffer(capacity: answer.utf8.count)
            buffer.writeString(answer)
            context.writeAndFlush(NIOAny(buffer)).whenComplete { _ in context.close(promise: nil) }
        } else {
            context.close(promise: nil)
        }
    }

    private func schedule(_ delay: Duration, _ ending: Ending) {
        cancelTimer()
        guard let context else { return }
        let nanoseconds = delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(nanoseconds)) { [self] in
            timer = nil
            refuse(ending)
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }

    private func finish() {
        cancelTimer()
        phase = .closed
        if admitted {
            admitted = false
            ledger.release(key: key)
        }
    }

    /// The offset just past the first CR LF CR LF in `buffer` (the bytes of the last read count
    /// toward it), or `nil`.
    private func headEnd(in buffer: ByteBuffer) -> Int? {
        var offset = 0
        for byte in buffer.readableBytesView {
            offset += 1
            recent = recent << 8 | UInt32(byte)
            if recent == 0x0d0a_0d0a { return offset }
        }
        return nil
    }
}
