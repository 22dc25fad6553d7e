import Synchronization

/// The embedded mode's transport: `publish` hands the events to every matching subscriber.
///
/// A subscriber's failure fails the publish, so the relay keeps the row and retries it; subscribers
/// that had already committed skip the repeat through their inbox. A batch goes to the subscribers at
/// once, each getting its events in order and applying them together (one transaction each, for the
/// service consumers): the relay's pass costs one commit per subscriber, not one per event and
/// subscriber.
public final class InProcessTransport: Transport {
    private struct Subscriber {
        let consumer: String
        let types: Set<String>
        let deliverBatch: EventBatchDelivery
    }

    private let subscribers = Mutex<[Subscriber]>([])

    public init() {}

    /// Delivers `batch` to every subscriber concurrently (they are separate databases), each its
    /// matching events in order; an event is published when every subscriber of its type took it.
    /// `deadline` bounds each subscriber's share: past it, that share counts as refused.
    public func publish(batch: [EventEnvelope], deadline: Duration) async -> PublishOutcome {
        let subscribers = self.subscribers.withLock { $0 }
        let refused = await withTaskGroup(of: [String: String].self) { group in
            for subscriber in subscribers {
                let share = batch.filter { subscriber.types.contains($0.type) }
                guard !share.isEmpty else { continue }
                group.addTask {
                    do {
                        let failures = try await withDeadline(deadline, "delivering to \(subscriber.consumer)") {
                            await subscriber.deliverBatch(share).mapValues { String(describing: $0) }
                        }
                        return failures
                    } catch {
                        return Dictionary(share.map { ($0.id, String(describing: error)) }) { first, _ in first }
                    }
                }
            }
            return await group.reduce(into: [String: String]()) { all, some in
                all.merge(some) { first, _ in first }
            }
        }
        var outcome = PublishOutcome()
        for envelope in batch {
            if let error = refused[envelope.id] {
                outcome.failures.append(PublishFailure(eventID: envelope.id, description: error))
            } else {
                outcome.published.append(envelope.id)
            }
        }
        return outcome
    }

    public func subscribe(consumer: String, types: Set<String>, deliverBatch: @escaping EventBatchDelivery) async throws
    {
        subscribers.withLock {
            $0.append(Subscriber(consumer: consumer, types: types, deliverBatch: deliverBatch))
        }
    }
}
