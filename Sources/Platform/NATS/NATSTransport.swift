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
/// the consumer or stream gone recreates them, with back-off. With a `gather` window, a consumer that
/// finds fewer events than a full batch waits that long for more before it applies them, so that under
/// load it applies fewer, larger batches. Register subscriptions before ``run()``.
public final class NATSTransport: Transport, Service {
    public let jetStream: JetStream
    public let stream: String
    public let subjectPrefix: String
    private let ackWait: Duration
    private let maxDeliver: Int
    private let redeliveryDelay: @Sendable (Int) -> Duration
    private let logger: Logger
    private let monitor: LoopMonitor?
    private let pullExpiry: Duration
    private let gather: Duration
    private let subscriptions = Mutex<[(consumer: String, type: String, deliver: EventBatchDelivery)]>([])
    private let streamReady = Atomic<Bool>(false)

    /// The default redelivery back-off: 100 ms doubling per delivery, at most 10 s.
    public static let defaultRedeliveryDelay: @Sendable (Int) -> Duration = { delivery in
        .milliseconds(min(10_000, 100 << min(max(delivery, 1), 7)))
    }

    public init(
        client: NATSClient, stream: String = "SPROCKET", subjectPrefix: String = "sprocket",
        ackWait: Duration = .seconds(10), maxDeliver: Int = -1,
        redeliveryDelay: @escaping @Sendable (Int) -> Duration = NATSTransport.defaultRedeliveryDelay,
        pullExpiry: Duration = .seconds(30), gather: Duration = .zero, monitor: LoopMonitor? = nil, logger: Logger
    ) {
        self.monitor = monitor
        self.pullExpiry = pullExpiry
        self.gather = gather
        self.jetStream = JetStream(client: client)
        self.stream = stream
        self.subjectPrefix = subjectPrefix
        self.ackWait = ackWait
        self.maxDeliver = maxDeliver
        self.redeliveryDelay = redeliveryDelay
        self.logger = logger
    }

    /// The subject events of `type` are published on.
    public func subject(for type: String) -> String { Self.subject(for: type, prefix: subjectPrefix) }

    /// The subject events of `type` are published on, under `prefix` (the default one unless told).
    public static func subject(for type: String, prefix: String = "sprocket") -> String { "\(prefix).\(type)" }

    /// Publishes `batch` pipelined: every event written in order, then the acks collected (one round
    /// trip for the batch instead of one per event), all within `deadline`, the stream's creation included.
    public func publish(batch: [EventEnvelope], deadline: Duration) async -> PublishOutcome {
        var outcome = PublishOutcome()
        var outgoing: [JetStream.Outgoing] = []
        let started = ContinuousClock.now
        do {
            // The stream's creation (which waits for a connection first) counts towards the deadline.
            try await withDeadline(deadline, "the stream \(stream)") { try await self.ensureStream() }
            for envelope in batch {
                outgoing.append(
                    JetStream.Outgoing(
                        payload: Array(try envelope.jsonData()), subject: subject(for: envelope.type),
                        messageID: envelope.id))
            }
        } catch {
            outcome.failures = batch.map { PublishFailure(eventID: $0.id, description: String(describing: error)) }
            return outcome
        }
        let left = deadline - (ContinuousClock.now - started)
        let results = await jetStream.publish(batch: outgoing, timeout: max(left, .milliseconds(100)))
        for (envelope, result) in zip(batch, results) {
            switch result {
            case .success:
                outcome.published.append(envelope.id)
            case .failure(let error):
                // No stream takes the subject (it was deleted): create it again before the next attempt.
                if case .noResponders = error { streamReady.store(false, ordering: .releasing) }
                outcome.failures.append(PublishFailure(eventID: envelope.id, description: error.description))
            }
        }
        return outcome
    }

    /// Registers `consumer`; each pull hands it the messages that arrived while it handled the previous
    /// ones, at most 64 at a time, through `deliverBatch`.
    public func subscribe(consumer: String, types: Set<String>, deliverBatch: @escaping EventBatchDelivery) async throws
    {
        subscriptions.withLock { list in
            for type in types.sorted() { list.append((consumer, type, deliverBatch)) }
        }
    }

    /// Ensures the stream and consumers, then pulls for every subscription until shutdown, each as a
    /// ``BackgroundLoop`` whose pass is one long poll (`pullExpiry`); a publisher-only service simply
    /// waits for shutdown.
    public func run() async throws {
        let subscriptions = self.subscriptions.withLock { $0 }
        guard !subscriptions.isEmpty else {
            try? await gracefulShutdown()
            return
        }
        try await withThrowingDiscardingTaskGroup { group in
            for subscription in subscriptions {
                let loop = pullLoop(subscription.consumer, subscription.type, subscription.deliver)
                group.addTask { try await loop.run() }
            }
        }
    }

    private func ensureStream() async throws {
        guard !streamReady.load(ordering: .acquiring) else { return }
        try await jetStream.ensureStream(stream, subjects: ["\(subjectPrefix).>"])
        streamReady.store(true, ordering: .releasing)
    }

    private func pullLoop(_ consumer: String, _ type: String, _ deliver: @escaping EventBatchDelivery) -> BackgroundLoop
    {
        let durable = "\(consumer)_\(type.replacingOccurrences(of: ".", with: "_"))"
        let ready = Atomic<Bool>(false)
        return BackgroundLoop("\(durable) consumer", monitor: monitor, poll: .zero, logger: logger) { progress in
            do {
                if !ready.load(ordering: .acquiring) {
                    try await self.ensureStream()
                    try await self.jetStream.ensurePullConsumer(
                        stream: self.stream, durable: durable, filter: self.subject(for: type), ackWait: self.ackWait,
                        maxDeliver: self.maxDeliver
                    )
                    ready.store(true, ordering: .releasing)
                }
                let batcher = MessageBatcher()
                let stopping = StopFlag()
                let (ok, failed) = try await withThrowingTaskGroup(of: (ok: Int, failed: Int).self) { group in
                    group.addTask {
                        defer { batcher.finish() }
                        // Shutting down, the long poll ends early; the messages it brought are handled.
                        try await withGracefulShutdownHandler {
                            try await self.jetStream.pull(
                                stream: self.stream, durable: durable, batch: Self.pullBatch, expires: self.pullExpiry,
                                stop: { stopping.isSet }
                            ) { message in batcher.append(message) }
                        } onGracefulShutdown: {
                            stopping.set()
                        }
                        return (0, 0)
                    }
                    group.addTask {
                        var total = (ok: 0, failed: 0)
                        while var messages = await batcher.next(limit: Self.pullBatch) {
                            // A batch costs a consumer the same few statements whatever its size: a short
                            // wait for more to arrive saves those of the batches it would have been.
                            if messages.count < Self.pullBatch, self.gather > .zero {
                                try? await Task.sleep(for: self.gather)
                                messages += batcher.take(limit: Self.pullBatch - messages.count)
                            }
                            let counts = await self.handle(messages, durable: durable, progress: progress, deliver)
                            total = (total.ok + counts.ok, total.failed + counts.failed)
                        }
                        return total
                    }
                    return try await group.reduce((ok: 0, failed: 0)) { ($0.ok + $1.ok, $0.failed + $1.failed) }
                }
                return failed > 0 && ok == 0 ? .noProgress : .worked
            } catch {
                if case NATSError.jetStream = error {
                    // The consumer or stream is gone (or refuses pulls): create them again.
                    ready.store(false, ordering: .releasing)
                    self.streamReady.store(false, ordering: .releasing)
                }
                throw error
            }
        }
    }

    /// Messages asked for per pull, and handled at most per batch.
    static let pullBatch = 64

    /// Delivers `messages` as one batch, then acknowledges each handled one (or terminates it as
    /// unreadable) and naks the others; how many were handled and how many failed.
    private func handle(
        _ messages: [JetStreamMessage], durable: String, progress: LoopProgress, _ deliver: EventBatchDelivery
    ) async -> (ok: Int, failed: Int) {
        var ok = 0
        var failed = 0
        var readable: [(message: JetStreamMessage, envelope: EventEnvelope)] = []
        for message in messages {
            if let envelope = try? EventEnvelope(jsonData: Data(message.payload)) {
                readable.append((message, envelope))
            } else {
                logger.error("unreadable event terminated", metadata: ["consumer": "\(durable)"])
                try? await message.term()
                ok += 1
            }
        }
        let failures = await deliver(readable.map(\.envelope))
        for (message, envelope) in readable {
            if let error = failures[envelope.id] {
                progress.waiting(since: envelope.time)
                let delay = redeliveryDelay(message.deliveryCount)
                logger.warning(
                    "event handling failed; redelivering",
                    metadata: [
                        "consumer": "\(durable)", "event": "\(envelope.id)", "attempt": "\(message.deliveryCount)",
                        "error": "\(error)",
                    ])
                try? await message.nak(delay: delay)
                failed += 1
            } else {
                do {
                    try await message.ack()
                    ok += 1
                } catch {
                    failed += 1
                }
            }
        }
        return (ok, failed)
    }
}

/// Set once, read from any thread.
private final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}
