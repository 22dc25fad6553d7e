import Logging
import NIOCore

/// Hands decoded frames to the client.
final class NATSInboundHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = NATSFrame
    private let client: NATSClient

    init(client: NATSClient) {
        self.client = client
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        client.received(unwrapInboundIn(data), on: context.channel)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        client.logger.warning("NATS connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        client.channelClosed()
        context.fireChannelInactive()
    }
}
