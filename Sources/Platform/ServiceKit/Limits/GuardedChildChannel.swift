import HummingbirdCore
import Logging
import NIOCore

/// A server's child channel (HTTP/1, with or without WebSocket upgrades) behind the process's
/// connection limits: ``ConnectionGuardHandler`` goes first in every connection's pipeline.
public struct GuardedChildChannel<Base: ServerChildChannel>: ServerChildChannel {
    public typealias Value = Base.Value
    let base: Base
    let ledger: ConnectionLedger

    public init(_ base: Base, ledger: ConnectionLedger) {
        self.base = base
        self.ledger = ledger
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let ledger = self.ledger
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ConnectionGuardHandler(ledger: ledger), position: .first)
        }.flatMap { base.setup(channel: channel, logger: logger) }
    }

    public func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension ConnectionLedger {
    /// HTTP/1 settings for a server behind this ledger: the phase handler after the decoder, and the
    /// decoder's own header limit above ``RequestLimits/maxHeaderBytes`` (so the guard answers 431).
    public var http1Configuration: HTTP1Channel.Configuration {
        var configuration = HTTP1Channel.Configuration(additionalChannelHandlers: [RequestPhaseHandler()])
        configuration.httpDecoder.maxHeaderListSize = max(limits.maxHeaderBytes * 2, 64 * 1024)
        return configuration
    }

    /// A plain HTTP/1 server (no WebSocket) behind this ledger.
    public var http1Server: HTTPServerBuilder {
        let configuration = http1Configuration
        return HTTPServerBuilder { responder in
            GuardedChildChannel(HTTP1Channel(responder: responder, configuration: configuration), ledger: self)
        }
    }
}
