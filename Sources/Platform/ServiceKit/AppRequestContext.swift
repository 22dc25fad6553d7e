import Hummingbird
import Logging
import NIOCore

/// The request context of every Sprocket router: Hummingbird's core storage plus the client address.
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The peer's address (`nil` in router tests, which have no socket).
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// A context for a request made inside the process on behalf of a client at `remoteAddress` (the
    /// GraphQL API calling the REST routes).
    public init(inProcess logger: Logger, remoteAddress: SocketAddress?) {
        self.coreContext = .init(source: InProcessSource(logger: logger))
        self.remoteAddress = remoteAddress
    }
}

private struct InProcessSource: RequestContextSource {
    let logger: Logger
}
