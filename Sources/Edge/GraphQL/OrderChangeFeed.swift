import Foundation
import Synchronization

/// Which orders just changed, for the `orderUpdated` subscription: fed by the `order.status.changed`
/// events (the in-process transport in embedded mode, a plain NATS subscription at the gateway), read by
/// every open subscription. It carries only the order id: a subscription reads the order again with its
/// own credentials, so what it is sent is what the orders service lets it see.
public final class OrderChangeFeed: Sendable {
    private struct Listener {
        let continuation: AsyncStream<String>.Continuation
    }

    private let listeners = Mutex<[UUID: Listener]>([:])

    public init() {}

    /// The event types the feed takes in.
    public static let eventTypes: Set<String> = ["order.status.changed"]

    /// Tells every listener that order `id` changed.
    public func orderChanged(_ id: String) {
        for listener in listeners.withLock({ Array($0.values) }) { listener.continuation.yield(id) }
    }

    /// The ids of orders that change from now on, until the stream is dropped. A listener that falls
    /// behind keeps the newest 256 (each one only says "read it again").
    public func changes() -> AsyncStream<String> {
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let key = UUID()
        listeners.withLock { $0[key] = Listener(continuation: continuation) }
        continuation.onTermination = { [weak self] _ in _ = self?.listeners.withLock { $0.removeValue(forKey: key) } }
        return stream
    }

    /// How many subscriptions listen now.
    public var listenerCount: Int { listeners.withLock { $0.count } }
}
