import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// Sits behind the HTTP decoder and tells the connection's ``ConnectionGuardHandler`` where each
/// request's head and body end and when its response is sent, so that it times the right phase.
final class RequestPhaseHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private var guardHandler: ConnectionGuardHandler?

    func handlerAdded(context: ChannelHandlerContext) {
        guardHandler = try? context.pipeline.syncOperations.handler(type: ConnectionGuardHandler.self)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        guardHandler = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            let length = head.headerFields[.contentLength].flatMap(Int.init) ?? 0
            let chunked = head.headerFields[.transferEncoding]?.lowercased().contains("chunked") ?? false
            guardHandler?.requestStarted(hasBody: length > 0 || chunked)
        case .body:
            break
        case .end:
            guardHandler?.requestEnded()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            let guardHandler = self.guardHandler
            let loop = context.eventLoop
            let written = promise ?? loop.makePromise()
            written.futureResult.whenComplete { _ in
                loop.assumeIsolated().execute { guardHandler?.responseEnded() }
            }
            context.write(data, promise: written)
        } else {
            context.write(data, promise: promise)
        }
    }
}
