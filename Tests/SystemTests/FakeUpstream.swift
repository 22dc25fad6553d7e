import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// An upstream on a real socket that either answers every request with 200, counting them, or closes
/// the connection as soon as a request arrives, without answering (a replica stopping mid-request).
final class FakeUpstream: Sendable {
    enum Behaviour { case answer, closeUnanswered }

    let port: Int
    private let channel: any Channel
    private let counter: NIOLockedValueBox<Int>

    var requests: Int { counter.withLockedValue { $0 } }

    /// `headers` are added to every answer (e.g. `Sprocket-Region: madrid` for a home gateway).
    init(_ behaviour: Behaviour, headers: String = "") async throws {
        let counter = NIOLockedValueBox(0)
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        Handler(behaviour: behaviour, headers: headers, counter: counter))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = channel.localAddress?.port ?? 0
        self.counter = counter
    }

    func close() async { try? await channel.close() }

    private final class Handler: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let behaviour: Behaviour
        let headers: String
        let counter: NIOLockedValueBox<Int>

        init(behaviour: Behaviour, headers: String, counter: NIOLockedValueBox<Int>) {
            self.behaviour = behaviour
            self.headers = headers
            self.counter = counter
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let text = String(buffer: unwrapInboundIn(data))
            guard text.contains("\r\n\r\n") else { return }  // the head, whole (the tests' bodies are small)
            switch behaviour {
            case .closeUnanswered:
                context.close(promise: nil)
            case .answer:
                counter.withLockedValue { $0 += 1 }
                let body = #"{"ok":true}"#
                context.writeAndFlush(
                    wrapOutboundOut(
                        ByteBuffer(
                            string:
                                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\(headers)content-length: \(body.utf8.count)\r\n\r\n\(body)"
                        )),
                    promise: nil)
            }
        }
    }
}
