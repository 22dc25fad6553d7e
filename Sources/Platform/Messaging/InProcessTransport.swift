import Synchronization

/// The embedded mode's transport: `publish` hands the event to every matching subscriber in turn.
///
/// A subscriber's failure fails the publish, so the relay keeps the row and retries it; subscribers
/// that had already committed skip the repeat through their inbox.
public final class InProcessTransport: Transport {
    private struct Subscriber {
        let consumer: String
        let types: Set<String>
        let deliver: EventDelivery
    }

    private let subscribers = Mutex<[Subscriber]>([])

    public init() {}

    public func publish(_ envelope: EventEnvelope) async throws {
        let matching = subscribers.withLock { $0.filter { $0.types.contains(envelope.type) } }
        for subscriber in matching {
            try await subscriber.deliver(envelope)
        }
    }

    public func subscribe(consumer: String, types: Set<String>, deliver: @escaping EventDelivery) async throws {
        subscribers.withLock { $0.append(Subscriber(consumer: consumer, types: types, deliver: deliver)) }
    }
}
