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
/// handled by one of them. A handler failure naks the message (redelivered after a back-off, up to
/// `maxDeliver` times; the consumer's own dead-letter rule ends it earlier). Register subscriptions
/// before ``run()`` starts.
public final class NATSTransport: Transport, Service {
    public let jetStream: JetStream
    public let stream: String
    public let subjectPrefix: String
    private let ackWait: Duration
    private let maxDeliver: Int
    private let logger: Logger
    private let subscriptions = Mutex<[(consumer: String, type: String, deliver: EventDelivery)]>([])
    private let streamReady = Atomic<Bool>(false)

    public init(
        client: NATSClient, stream: String = "SPROCKET", subjectPrefix: String = "sprocket",
        ackWait: Duration = .seconds(30),
        maxDeliver: Int = 20, logger: Logger
    ) {
        self.jetStream = JetStream(client: client)
        self.stream = stream
        self.subjectPrefix = subjectPrefix
        self.ackWait = ackWait
        self.maxDeliver = maxDeliver
        self.logger = logger
    }

    /// The subject events of `type` are published on.
    public func subject(for type: String) -> String { "\(subjectPrefix).\(type)" }

    public func publish(_ envelope: EventEnvelope) async throws {
        try await ensureStream()
        _ = try await jetStream.publish(
            Array(try envelope.jsonData()), to: subject(for: envelope.type), messageID: envelope.id)
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
            } catch {
                if Task.isCancelled { break }
                logger.warning("pulling events failed", metadata: ["consumer": "\(durable)", "error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(500))
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
            let delay = Duration.milliseconds(min(10_000, 100 << min(message.deliveryCount, 7)))
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
