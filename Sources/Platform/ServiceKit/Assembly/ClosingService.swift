import ServiceLifecycle

/// A long-lived resource in the service group: it waits for graceful shutdown, then closes the resource.
///
/// Put it first in the group's list: the group stops services in reverse order, so the HTTP server,
/// the relays and the transport stop before the resource they use is closed.
public struct ClosingService: Service {
    private let name: String
    private let close: @Sendable () async -> Void

    public init(_ name: String, close: @escaping @Sendable () async -> Void) {
        self.name = name
        self.close = close
    }

    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }
}
