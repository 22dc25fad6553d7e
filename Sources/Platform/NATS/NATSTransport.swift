import Foundation
import Logging
import Messaging
import ServiceLifecycle
import Synchronization

/// The distributed mode's transport: events go to one JetStream stream, each type on its own subject
/// (`sprocket.<type>`), and every consuming service pulls through durable consumers.
///
/// Publishing sets `Nats-Msg-Id` to the event id, so a relay that republishes after a crash is
/// de-duplicated by the server within the duplicate window. Each `(consumer, event type)` pair is a
/// durable pull consumer named `<consumer>_<type>`; replicas of a service share it, so each event is
/// handled by one of them. A handler failure naks the message, redelivered after a growing back-off
/// (`redeliveryDelay`) for as long as it takes: the broker never drops an event (`maxDeliver` -1); the
/// consumer's inbox decides when one becomes a dead letter, which needs its database. A pull that finds
/// the consumer or stream gone recreates them, with back-off. Register subscriptions before ``run()``.
public final class NATSTransport: Transport, Service {
    public let jetStream: JetStream
    public let stream: String
    public let subjectPrefix: String
    private let ackWait: Duration
    private let maxDeliver: Int
    private let redeliveryDelay: @Sendable (Int) -> Duration
    private let logger: Logger
    private let subscriptions = Mutex<[(consumer: String, type: String, deliver: EventDelivery)]>([])
    private let streamReady = Atomic<Bool>(false)

    /// The default redelivery back-off: 100 ms doubling per delivery, at most 10 s.
    public static let defaultRedeliveryDelay: @Sendable (Int) -> Duration = { delivery in
        .milliseconds(min(10_000, 100 << min(max(delivery, 1), 7)))
    }

    public init(
        client: NATSClient, stream: String = "SPROCKET", subjectPrefix: String = "sprocket",
        ackWait: Duration = .seconds(30), maxDeliver: Int = -1,
        redeliveryDelay: @escaping @Sendable (Int) -> Duration = NATSTransport.defaultRedeliveryDelay,
        logger: Logger
    ) {
        self.jetStream = JetStream(client: client)
        self.stream = stream
        self.subjectPrefix = subjectPrefix
        self.ackWait = ackWait
        self.maxDeliver = maxDeliver
        self.redeliveryDelay = redeliveryDelay
        self.logger = logger
    }

    /// The subject events of `type` are published on.
    public func subject(for type: String) -> String { "\(subjectPrefix).\(type)" }

    public func publish(_ envelope: EventEnvelope) async throws {
        try await ensureStream()
        do {
            _ = try await jetStream.publish(
                Array(try envelope.jsonData()), to: subject(for: envelope.type), messageID: envelope.id)
        } catch NATSError.noResponders(let subject) {
            // No stream takes the subject (it was deleted): create it again before the next attempt.
            streamReady.store(false, ordering: .releasing)
            throw NATSError.noResponders(subject)
        }
    }

    public func subscribe(consumer: String, types: Set<String>, deliver: @escaping EventDelivery) async throws {
        subscriptions.withLock { list in
            for type in types.sorted() { list.append((consumer, type, deliver)) }
        }
    }

    /// Ensures the stream and consumers, then pulls for every subscription until shutdown (a
    /// publisher-only service simply waits for shutdown).
    public func run() async throws {
        let subscriptions = self.subscriptions.withLock { $0 }
        guard !subscriptions.isEmpty else {
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                for subscription in subscriptions {
                    group.addTask { await self.pull(subscription.consumer, subscription.type, subscription.deliver) }
                }
            }
        }
    }

    private func ensureStream() async throws {
        guard !streamReady.load(ordering: .acquiring) else { return }
        try await jetStream.ensureStream(stream, subjects: ["\(subjectPrefix).>"])
        streamReady.store(true, ordering: .releasing)
    }

    private func pull(_ consumer: String, _ type: String, _ deliver: @escaping EventDelivery) async {
        let durable = "\(consumer)_\(type.replacingOccurrences(of: ".", with: "_"))"
        var ready = false
        var failures = 0
        while !Task.isCancelled {
            do {
                if !ready {
                    try await ensureStream()
                    try await jetStream.ensurePullConsumer(
                        stream: stream, durable: durable, filter: subject(for: type), ackWait: ackWait,
                        maxDeliver: maxDeliver
                    )
                    ready = true
                }
                try await jetStream.pull(stream: stream, durable: durable, batch: 64, expires: .seconds(5)) { message in
                    await self.handle(message, durable: durable, deliver)
                }
                failures = 0
            } catch {
                if Task.isCancelled { break }
                failures += 1
                if case NATSError.jetStream = error {
                    // The consumer or stream is gone (or refuses pulls): create them again.
                    ready = false
                    streamReady.store(false, ordering: .releasing)
                }
                logger.warning(
                    "pulling events failed", metadata: ["consumer": "\(durable)", "error": "\(error)", "failures": "\(failures)"])
                try? await Task.sleep(for: .milliseconds(min(5_000, 250 << min(failures, 5))))
            }
        }
    }

    private func handle(_ message: JetStreamMessage, durable: String, _ deliver: EventDelivery) async {
        guard let envelope = try? EventEnvelope(jsonData: Data(message.payload)) else {
            logger.error("unreadable event terminated", metadata: ["consumer": "\(durable)"])
            try? await message.term()
            return
        }
        do {
            try await deliver(envelope)
            try await message.ack()
        } catch {
            let delay = redeliveryDelay(message.deliveryCount)
            logger.warning(
                "event handling failed; redelivering",
                metadata: [
                    "consumer": "\(durable)", "event": "\(envelope.id)", "attempt": "\(message.deliveryCount)",
                    "error": "\(error)",
                ])
            try? await message.nak(delay: delay)
        }
    }
}
